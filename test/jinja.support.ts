/**
 * Jinja2 (the engine of Ansible's template module), for tests that prove Jinja template fixes by rendering.
 * .ci/run installs it (pinned) with pip; tests are skipped, saying why, when python3 or jinja2 is absent.
 */
import { execFileSync } from 'node:child_process';

const RENDER = `
import json, sys, jinja2
template, variables, trim = sys.argv[1], sys.argv[2], sys.argv[3] == 'true'
env = jinja2.Environment(trim_blocks=trim, keep_trailing_newline=True)
with open(template) as t, open(variables) as v:
    sys.stdout.write(env.from_string(t.read()).render(**json.load(v)))
`;

/** Why Jinja2 cannot be used here, or undefined when it can. */
export function jinjaUnavailable(): string | undefined {
  try {
    execFileSync('python3', ['-c', 'import jinja2'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'python3 with jinja2 is not installed (pip install jinja2)';
  }
}

/**
 * A template rendered with the variables of a JSON file. `trimBlocks` as Ansible's template module does it (its
 * default) or as Jinja2's own default (off).
 */
export function renderJinja(template: string, variablesFile: string, trimBlocks: boolean): string {
  return execFileSync('python3', ['-c', RENDER, template, variablesFile, String(trimBlocks)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
