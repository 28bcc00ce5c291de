/**
 * Fixture projects of the TypeScript rules (`fixtures/typescript/<project>/`): a package.json (whose client-node range
 * says which API generation the code is written for), sources, and `<name>.fixed.<ext>` beside every source that
 * --fix must change. `findings.txt` lists what the rules report on the sources, one `file:line rule fixable|manual`
 * a line, so a reviewer sees the behaviour as files.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { fixturesDir, repoRoot } from './helpers.js';

export interface FixtureProject {
  name: string;
  dir: string;
  generation: 0 | 1;
  /** Source path (relative to the project) → text before and after --fix. */
  sources: { file: string; before: string; after: string }[];
  /** Other files (package.json, tsconfig) copied as they are. */
  others: Record<string, string>;
  findings: string[];
}

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const abs = path.join(dir, e.name);
    return e.isDirectory() ? walk(abs, base) : [path.relative(base, abs).split(path.sep).join('/')];
  });
}

export function fixtureProjects(): FixtureProject[] {
  const root = path.join(fixturesDir, 'typescript');
  return fs
    .readdirSync(root)
    .filter((name) => fs.statSync(path.join(root, name)).isDirectory())
    .sort()
    .map((name) => {
      const dir = path.join(root, name);
      const files = walk(dir);
      const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
      const pkg = JSON.parse(read('package.json'));
      const range: string = pkg.dependencies?.['@kubernetes/client-node'] ?? pkg.devDependencies?.['@kubernetes/client-node'] ?? '';
      const sources = files
        .filter((f) => SOURCE.test(f) && !/\.fixed\.[a-z]+$/.test(f))
        .map((file) => {
          const fixed = file.replace(/\.([a-z]+)$/, '.fixed.$1');
          return { file, before: read(file), after: files.includes(fixed) ? read(fixed) : read(file) };
        });
      const others: Record<string, string> = {};
      for (const f of files) if (!SOURCE.test(f) && f !== 'findings.txt') others[f] = read(f);
      const findings = files.includes('findings.txt') ? read('findings.txt').split('\n').filter((l) => l.trim() && !l.startsWith('#')) : [];
      return { name, dir, generation: /^[\^~]?0\./.test(range) ? 0 : 1, sources, others, findings } as FixtureProject;
    });
}

/**
 * Type-checks the given fixture projects, before or after --fix, in one program against the real client-node
 * of their generation: 1.x is the `@kubernetes/client-node` devDependency, 0.x the `client-node-0` alias (mapped
 * with `paths`). Fixture files are served from memory under their source names, so `./k8s.js` imports resolve to
 * the fixed text of `k8s.ts`. Returns the diagnostics as `project/file:line: message`.
 */
export function typeCheck(projects: FixtureProject[], generation: 0 | 1): string[] {
  // Both versions in one program (loading client-node's declarations is most of the cost): the "before" text
  // under `<project>/.before/`, so relative imports and the project's package.json still resolve the same way.
  const contents = new Map<string, string>();
  for (const p of projects) {
    for (const s of p.sources) {
      contents.set(path.join(p.dir, s.file), s.after);
      contents.set(path.join(p.dir, '.before', s.file), s.before);
    }
  }
  const options: ts.CompilerOptions = {
    strict: true,
    // A client left unused by the fix is an error in projects that set it (issue 15, TS6133).
    noUnusedLocals: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    typeRoots: [path.join(repoRoot, 'node_modules/@types')],
    skipLibCheck: true,
    allowJs: true,
    checkJs: false,
    paths: generation === 0 ? { '@kubernetes/client-node': [path.join(repoRoot, 'node_modules/client-node-0/dist/index.d.ts')] } : undefined,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => contents.get(path.resolve(f)) ?? readFile(f);
  host.fileExists = (f) => contents.has(path.resolve(f)) || fileExists(f);
  const virtualDirs = new Set([...contents.keys()].flatMap((f) => {
    const dirs: string[] = [];
    for (let d = path.dirname(f); d !== path.dirname(d); d = path.dirname(d)) dirs.push(d);
    return dirs;
  }));
  host.directoryExists = (d) => virtualDirs.has(path.resolve(d)) || ts.sys.directoryExists(d);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = contents.get(path.resolve(f));
    return text !== undefined ? ts.createSourceFile(f, text, lang) : getSourceFile(f, lang, onError, create);
  };
  const roots = [...contents.keys()].filter((f) => /\.(ts|tsx|mts|cts)$/.test(f));
  const program = ts.createProgram(roots, options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.relative(path.join(fixturesDir, 'typescript'), d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}
