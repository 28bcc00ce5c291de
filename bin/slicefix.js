#!/usr/bin/env node
// Entry point: the compile cache first (src/compile-cache.ts: it must be on before the modules it should cover are
// loaded), then the compiled engine and the rule registry, wired to the real process.
import { enableCompileCache } from '../dist/src/compile-cache.js';
import { packageInfo } from '../dist/src/package-info.js';

enableCompileCache(process.env, packageInfo().version);

const [{ runCli }, { rules }] = await Promise.all([import('../dist/src/cli.js'), import('../dist/rules/index.js')]);

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
);
