/** Where the Go tools are, for the tests that build the Go fixtures (go may be outside PATH, in /usr/local/go/bin). */
import fs from 'node:fs';
import path from 'node:path';

export function findTool(name: string, extra: string[] = []): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), ...extra]) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}
