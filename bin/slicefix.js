#!/usr/bin/env node
// Entry point: the compile cache first (src/compile-cache.ts: it must be on before the modules it should cover are
// loaded), then the command line, wired to the real process, with the rule registry loaded when needed.
import { enableCompileCache } from '../dist/src/compile-cache.js';
import { packageInfo } from '../dist/src/package-info.js';

enableCompileCache(process.env, packageInfo().version);

const { runCli } = await import('../dist/src/cli.js');
// Ctrl-C or kill: the file writes under way finish, and no temporary file is left behind (exit 130 / 143).
const { finishWritesOnSignals } = await import('../dist/src/atomic-write.js');
finishWritesOnSignals();

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
  // Loaded by runCli only when needed: `--version` and `--help` import no rule.
  async () => (await import('../dist/rules/index.js')).rules,
  // Worker threads of large scans load the same rule list from here.
  new URL('../dist/rules/index.js', import.meta.url).href,
);
