// The action's entry point, wired to the real process (bundled into action/bundle/index.mjs).
import { runAction } from './main.js';

process.exitCode = await runAction({ env: process.env, stdout: (text) => void process.stdout.write(text) });
