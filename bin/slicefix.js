#!/usr/bin/env node
// Entry point: the compiled engine and the rule registry, wired to the real process.
import { runCli } from '../dist/src/cli.js';
import { rules } from '../dist/rules/index.js';

process.exitCode = await runCli(
  process.argv.slice(2),
  {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
  },
  rules,
  // Worker threads of large scans load the same rule list from here.
  new URL('../dist/rules/index.js', import.meta.url).href,
);
