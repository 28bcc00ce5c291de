/**
 * Which files a folder scan reads: in a git work tree, what git shows (tracked files, and untracked ones that are
 * not ignored); elsewhere, `.gitignore` as git reads it (nested files, negation, anchoring, folders above the
 * scanned one).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rule as rbac } from '../rules/endpoints-rbac.js';
import { defaultConfig, type Config } from '../src/config.js';
import { walk } from '../src/walk.js';
import { lint, makeTempDir, writeTree } from './helpers.js';

async function walked(dir: string, sub = '.', config: Partial<Config> = {}): Promise<string[]> {
  const cwd = path.join(dir, sub);
  return (await walk(['.'], cwd, { ...defaultConfig(), ...config })).files.map((f) => path.relative(cwd, f).split(path.sep).join('/'));
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

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: makeTempDir('slicefix-home-'),
};

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'protocol.file.allow=always', ...args], { cwd: dir, env: gitEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A repository with `files` written; `tracked` are added with --force (whatever .gitignore says) and committed. */
function repository(files: Record<string, string>, tracked: string[] = Object.keys(files)): string {
  const dir = writeTree(files);
  git(dir, 'init', '-q', '-b', 'main');
  if (tracked.length) git(dir, 'add', '--force', '--', ...tracked);
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'start');
  return dir;
}

const CLUSTER_ROLE =
  'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: mesh-controller}\nrules:\n- {apiGroups: [""], resources: [endpoints], verbs: [get, list, watch]}\n';

describe('walk in a git work tree: the files git shows', () => {
  it('reads a tracked file that a .gitignore pattern matches, from the root and from its folder alike (traefik/mesh)', async () => {
    // traefik/mesh ignores its binary `traefik-mesh` and tracks integration/testdata/traefik-mesh/*.yaml.
    const dir = repository(
      {
        '.gitignore': 'traefik-mesh\n',
        'integration/testdata/traefik-mesh/controller-acl-enabled.yaml': CLUSTER_ROLE,
        'traefik-mesh/role.yaml': CLUSTER_ROLE,
      },
      ['.gitignore', 'integration/testdata/traefik-mesh/controller-acl-enabled.yaml'],
    );
    const root = await lint(dir, [rbac]);
    expect(root.result.findings.map((f) => f.file)).toEqual(['integration/testdata/traefik-mesh/controller-acl-enabled.yaml']);
    const sub = await lint(dir, [rbac], { paths: ['integration'] });
    expect(sub.result.findings).toEqual(root.result.findings);
  });

  it('reads untracked files that are not ignored, skips ignored ones (.gitignore and .git/info/exclude) and tracked files deleted from disk', async () => {
    const dir = repository({ '.gitignore': 'build/\n*.local.yaml\n', 'kept.yaml': 'a: 1\n', 'deleted.yaml': 'a: 1\n' });
    writeTree({ 'new.yaml': 'a: 1\n', 'build/out.yaml': 'a: 1\n', 'dev.local.yaml': 'a: 1\n', 'private/x.yaml': 'a: 1\n', 'sub/new.sh': 'echo\n' }, dir);
    fs.appendFileSync(path.join(dir, '.git/info/exclude'), 'private/\n');
    fs.rmSync(path.join(dir, 'deleted.yaml'));
    expect(await walked(dir)).toEqual(['kept.yaml', 'new.yaml', 'sub/new.sh']);
    const { result } = await lint(dir, [rbac]);
    expect(result.errors).toEqual([]);
  });

  it('gives every sub-folder scan the same files as the root scan has below that folder', async () => {
    const dir = repository(
      {
        '.gitignore': 'gen\n/top/\n*.out.yaml\n!keep.out.yaml\n',
        'a/gen/tracked.yaml': '',
        'a/gen/b/tracked.yaml': '',
        'a/x.out.yaml': '',
        'a/keep.out.yaml': '',
        'a/b/.gitignore': '*.json\n!keep.json\n',
        'a/b/c.json': '',
        'a/b/keep.json': '',
        'top/tracked.yaml': '',
        'z/top/d.yaml': '',
      },
      ['.gitignore', 'a/gen/tracked.yaml', 'a/b/.gitignore', 'a/b/c.json', 'top/tracked.yaml', 'a/keep.out.yaml', 'z/top/d.yaml'],
    );
    writeTree({ 'a/gen/untracked.yaml': '', 'a/b/new.json': '', 'a/b/keep2.json': '', 'top/untracked.yaml': '', 'a/y.out.yaml': '', 'z/e.yaml': '' }, dir);
    const root = await walked(dir);
    expect(root).toEqual(['a/b/c.json', 'a/b/keep.json', 'a/gen/tracked.yaml', 'a/keep.out.yaml', 'top/tracked.yaml', 'z/e.yaml', 'z/top/d.yaml']);
    for (const sub of ['a', 'a/b', 'a/gen', 'top', 'z', 'z/top']) {
      const below = root.filter((f) => f.startsWith(`${sub}/`)).map((f) => f.slice(sub.length + 1));
      expect(await walked(dir, sub), sub).toEqual(below);
    }
  });

  it('never follows a tracked symbolic link, and counts it as skipped', async () => {
    const outside = writeTree({ 'role.yaml': CLUSTER_ROLE });
    const dir = writeTree({ 'in/role.yaml': CLUSTER_ROLE });
    fs.symlinkSync(path.join(outside, 'role.yaml'), path.join(dir, 'out.yaml'));
    fs.symlinkSync(outside, path.join(dir, 'outdir'));
    fs.symlinkSync('in', path.join(dir, 'again'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'links');
    const { result } = await lint(dir, [rbac]);
    expect(result.findings.map((f) => f.file)).toEqual(['in/role.yaml']);
    expect(result.summary.filesSkipped).toBe(3);
  });

  it('skips tracked dependency folders unless skipDependencyDirs is off', async () => {
    const dir = repository({ 'vendor/k8s.io/role.yaml': '', 'web/node_modules/x/role.yaml': '', 'third_party/role.yaml': '', 'deploy/role.yaml': '' });
    expect(await walked(dir)).toEqual(['deploy/role.yaml']);
    expect(await walked(dir, '.', { skipDependencyDirs: false })).toEqual([
      'deploy/role.yaml',
      'third_party/role.yaml',
      'vendor/k8s.io/role.yaml',
      'web/node_modules/x/role.yaml',
    ]);
  });

  it('lets each nested repository and submodule decide its own files; an ignored one is not read', async () => {
    const library = repository({ '.gitignore': '*.gen.yaml\n', 'lib.yaml': '', 'x.gen.yaml': '' }, ['.gitignore', 'lib.yaml']);
    const dir = repository({ '.gitignore': 'ignored-checkout/\nlib.yaml\n', 'app.yaml': '' });
    git(dir, 'submodule', 'add', '-q', library, 'modules/lib');
    git(dir, 'commit', '-q', '-m', 'submodule');
    writeTree({ 'modules/lib/x.gen.yaml': '' }, dir);
    for (const nested of ['checkout', 'ignored-checkout']) {
      writeTree({ [`${nested}/.gitignore`]: '*.tmp.yaml\n', [`${nested}/n.yaml`]: '', [`${nested}/n.tmp.yaml`]: '' }, dir);
      git(path.join(dir, nested), 'init', '-q', '-b', 'main');
    }
    // lib.yaml is ignored by the outer repository's .gitignore, but the submodule tracks it: its own index decides.
    expect(await walked(dir)).toEqual(['app.yaml', 'checkout/n.yaml', 'modules/lib/lib.yaml']);
    expect(await walked(dir, 'modules')).toEqual(['lib/lib.yaml']);
    expect(await walked(dir, 'modules/lib')).toEqual(['lib.yaml']);
  });

  it('runs git without the repository\'s fsmonitor hook (a crafted .git/config must not run a command)', async () => {
    const dir = repository({ 'a.yaml': '' });
    const marker = path.join(makeTempDir(), 'ran');
    const hook = path.join(dir, 'hook.sh');
    fs.writeFileSync(hook, `#!/bin/sh\ntouch '${marker}'\nexit 1\n`, { mode: 0o755 });
    git(dir, 'config', 'core.fsmonitor', hook);
    expect(await walked(dir)).toEqual(['a.yaml', 'hook.sh']);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('asks the repository that holds the folder, whatever GIT_DIR or GIT_INDEX_FILE a hook inherited', async () => {
    const other = repository({ 'other.yaml': '' });
    const dir = repository({ '.gitignore': 'gen\n', 'gen/mine.yaml': '' });
    const saved = { dir: process.env.GIT_DIR, index: process.env.GIT_INDEX_FILE };
    process.env.GIT_DIR = path.join(other, '.git');
    process.env.GIT_INDEX_FILE = path.join(other, '.git/index');
    try {
      expect(await walked(dir)).toEqual(['gen/mine.yaml']);
    } finally {
      for (const [name, value] of [['GIT_DIR', saved.dir], ['GIT_INDEX_FILE', saved.index]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('walks honouring .gitignore when git cannot answer (git missing)', async () => {
    const dir = repository({ '.gitignore': 'gen\n', 'gen/tracked.yaml': '', 'a.yaml': '' });
    const saved = process.env.PATH;
    process.env.PATH = makeTempDir('slicefix-no-git-');
    try {
      expect(await walked(dir)).toEqual(['a.yaml']);
    } finally {
      process.env.PATH = saved;
    }
  });
});
