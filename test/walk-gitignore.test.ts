/** `.gitignore` as git reads it: nested files, negation, anchoring, folders above the scanned one. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.js';
import { walk } from '../src/walk.js';
import { writeTree } from './helpers.js';

async function walked(dir: string, sub = '.'): Promise<string[]> {
  const cwd = path.join(dir, sub);
  return (await walk(['.'], cwd, defaultConfig())).files.map((f) => path.relative(cwd, f).split(path.sep).join('/'));
}

describe('walk and .gitignore', () => {
  it('applies patterns, negations and anchors, and lets a deeper .gitignore win', async () => {
    const dir = writeTree({
      '.gitignore': 'build/\n*.log.yaml\n!keep.log.yaml\n/top.yaml\ngen\n',
      'build/a.yaml': '',
      'x/build/b.yaml': '',
      'top.yaml': '',
      'x/top.yaml': '',
      'a.log.yaml': '',
      'keep.log.yaml': '',
      'gen/c.yaml': '',
      'sub/.gitignore': '!gen\n*.json\n/only-here.yaml\n',
      'sub/gen/d.yaml': '',
      'sub/e.json': '',
      'sub/deep/f.json': '',
      'sub/only-here.yaml': '',
      'sub/deep/only-here.yaml': '',
      'g.json': '',
    });
    expect((await walked(dir)).sort()).toEqual(['g.json', 'keep.log.yaml', 'sub/deep/only-here.yaml', 'sub/gen/d.yaml', 'x/top.yaml']);
  });

  it('never re-includes a file inside an excluded folder', async () => {
    const dir = writeTree({ '.gitignore': 'x/\n!x/keep.yaml\n', 'x/keep.yaml': '', 'y.yaml': '' });
    expect(await walked(dir)).toEqual(['y.yaml']);
  });

  it('applies the .gitignore files above the scanned folder, up to the git root', async () => {
    const dir = writeTree({ '.gitignore': 'sub/gen/\n*.tmp.yaml\n', 'sub/gen/a.yaml': '', 'sub/b.yaml': '', 'sub/c.tmp.yaml': '' });
    fs.mkdirSync(path.join(dir, '.git'));
    expect(await walked(dir, 'sub')).toEqual(['b.yaml']);
  });

  it('outside a git repository, only the .gitignore files of the scanned tree count', async () => {
    const dir = writeTree({ '.gitignore': '*.yaml\n', 'sub/b.yaml': '' });
    expect(await walked(dir, 'sub')).toEqual(['b.yaml']);
  });
});
