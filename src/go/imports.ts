/**
 * A Go file's imports: which local name means which package, and the edits that add or drop an import so that
 * the file stays gofmt-clean (each group sorted by path, no doubled blank lines).
 */
import type { Node } from 'web-tree-sitter';
import type { Edit } from '../types.js';
import { lineStartOf } from '../edits.js';

export interface GoImport {
  /** The name the file uses for the package (`_` and `.` imports keep those). */
  name: string;
  path: string;
  /** Whether the name was written (`corev1 "k8s.io/api/core/v1"`) rather than implied by the path. */
  explicit: boolean;
  /** The import_spec node's range. */
  start: number;
  end: number;
}

export interface GoImports {
  list: GoImport[];
  /** import_declaration nodes' ranges, in file order. */
  declarations: { start: number; end: number; parenthesized: boolean }[];
}

/** Package paths slicefix reasons about. */
export const PKG = {
  core: 'k8s.io/api/core/v1',
  discovery: 'k8s.io/api/discovery/v1',
  metav1: 'k8s.io/apimachinery/pkg/apis/meta/v1',
  apierrors: 'k8s.io/apimachinery/pkg/api/errors',
  labels: 'k8s.io/apimachinery/pkg/labels',
  typedCore: 'k8s.io/client-go/kubernetes/typed/core/v1',
  coreListers: 'k8s.io/client-go/listers/core/v1',
  discoveryListers: 'k8s.io/client-go/listers/discovery/v1',
  informers: 'k8s.io/client-go/informers',
  coreInformers: 'k8s.io/client-go/informers/core/v1',
  discoveryInformers: 'k8s.io/client-go/informers/discovery/v1',
  cache: 'k8s.io/client-go/tools/cache',
  crClient: 'sigs.k8s.io/controller-runtime/pkg/client',
  crSource: 'sigs.k8s.io/controller-runtime/pkg/source',
} as const;

/** The name a package gets when imported without one: its last path element (true for every package above). */
export function defaultName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9_]/g, '_');
}

function unquote(literal: string): string {
  return literal.replace(/^["`]|["`]$/g, '');
}

export function readImports(root: Node): GoImports {
  const list: GoImport[] = [];
  const declarations: GoImports['declarations'] = [];
  for (const decl of root.namedChildren) {
    if (!decl || decl.type !== 'import_declaration') continue;
    const specList = decl.namedChildren.find((c) => c?.type === 'import_spec_list');
    declarations.push({ start: decl.startIndex, end: decl.endIndex, parenthesized: specList !== undefined });
    const specs = specList ? specList.namedChildren : decl.namedChildren;
    for (const spec of specs) {
      if (!spec || spec.type !== 'import_spec') continue;
      const pathNode = spec.childForFieldName('path');
      const nameNode = spec.childForFieldName('name');
      if (!pathNode) continue;
      const path = unquote(pathNode.text);
      list.push({
        name: nameNode ? nameNode.text : defaultName(path),
        path,
        explicit: nameNode !== null,
        start: spec.startIndex,
        end: spec.endIndex,
      });
    }
  }
  return { list, declarations };
}

/** The names under which `path` is usable in qualified identifiers (`_` and `.` imports excluded). */
export function namesOf(imports: GoImports, path: string): Set<string> {
  return new Set(imports.list.filter((i) => i.path === path && i.name !== '_' && i.name !== '.').map((i) => i.name));
}

/** The package path a local name refers to, if it is an import of this file. */
export function pathOfName(imports: GoImports, name: string): string | undefined {
  return imports.list.find((i) => i.name === name)?.path;
}


function lineEndOf(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end === -1 ? text.length : end;
}

/** Groups of import specs as gofmt sees them: runs of lines without a blank line (or comment line) between. */
function groupsOf(text: string, imports: GoImports, declStart: number, declEnd: number): GoImport[][] {
  const specs = imports.list.filter((i) => i.start >= declStart && i.end <= declEnd).sort((a, b) => a.start - b.start);
  const groups: GoImport[][] = [];
  let previous: GoImport | undefined;
  for (const spec of specs) {
    const between = previous ? text.slice(lineEndOf(text, previous.end), lineStartOf(text, spec.start)) : '';
    if (!previous || /\n[ \t]*\n/.test(between)) groups.push([spec]);
    else groups[groups.length - 1].push(spec);
    previous = spec;
  }
  return groups;
}

/** How alike two import paths are for grouping: the length of their common leading path elements. */
function affinity(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  // Standard-library paths have no dot in their first element; never group a module path with them.
  const std = (p: string) => !p.split('/')[0].includes('.');
  if (std(a) !== std(b)) return -1;
  return n;
}

export interface ImportPlan {
  /** The name to write in code for the package. */
  name: string;
  edits: Edit[];
}

/**
 * Makes `path` importable as (preferably) `preferredName`. Reuses an existing import of the path, whatever its
 * name. Returns a reason instead when the name is taken by another import or identifier of the file.
 */
export function ensureImport(text: string, imports: GoImports, path: string, preferredName: string, taken: { has(name: string): boolean }): ImportPlan | string {
  const existing = imports.list.find((i) => i.path === path && i.name !== '_' && i.name !== '.');
  if (existing) return { name: existing.name, edits: [] };
  if (imports.list.some((i) => i.name === preferredName) || taken.has(preferredName)) {
    return `the name \`${preferredName}\` for "${path}" is already used in this file`;
  }
  const spec = preferredName === defaultName(path) ? `"${path}"` : `${preferredName} "${path}"`;
  const parenthesized = imports.declarations.filter((d) => d.parenthesized);
  if (parenthesized.length === 0) {
    // A file with only single-line imports (or none): add a declaration of its own, which gofmt accepts as is.
    const last = imports.declarations[imports.declarations.length - 1];
    if (last) return { name: preferredName, edits: [{ start: last.end, end: last.end, text: `\n\nimport ${spec}` }] };
    return '';
  }
  // Pick the group whose paths share most with the new one; insert in path order, as gofmt sorts.
  let best: GoImport[] | undefined;
  let bestScore = -2;
  for (const decl of parenthesized) {
    for (const group of groupsOf(text, imports, decl.start, decl.end)) {
      const score = Math.max(...group.map((g) => affinity(g.path, path)));
      if (score > bestScore) {
        best = group;
        bestScore = score;
      }
    }
  }
  if (!best || bestScore < 1) {
    // No group of module paths yet: open one after the last parenthesized declaration's last spec.
    const decl = parenthesized[parenthesized.length - 1];
    const specs = imports.list.filter((i) => i.start >= decl.start && i.end <= decl.end);
    const last = specs[specs.length - 1];
    if (!last) return 'the import block is empty';
    const indent = text.slice(lineStartOf(text, last.start), last.start);
    const at = lineEndOf(text, last.end);
    return { name: preferredName, edits: [{ start: at, end: at, text: `\n\n${indent}${spec}` }] };
  }
  const after = best.find((g) => g.path > path);
  if (after) {
    const at = lineStartOf(text, after.start);
    const indent = text.slice(at, after.start);
    return { name: preferredName, edits: [{ start: at, end: at, text: `${indent}${spec}\n` }] };
  }
  const last = best[best.length - 1];
  const indent = text.slice(lineStartOf(text, last.start), last.start);
  const at = lineEndOf(text, last.end);
  return { name: preferredName, edits: [{ start: at, end: at, text: `\n${indent}${spec}` }] };
}

/** The edit that removes one import spec (and a blank line it would leave doubled, or its whole declaration). */
export function removeImport(text: string, imports: GoImports, spec: GoImport): Edit {
  const decl = imports.declarations.find((d) => d.start <= spec.start && spec.end <= d.end)!;
  const inDecl = imports.list.filter((i) => i.start >= decl.start && i.end <= decl.end);
  if (inDecl.length === 1) {
    let end = decl.end;
    if (text[end] === '\n') end++;
    let start = lineStartOf(text, decl.start);
    // Drop one of the blank lines that surrounded the declaration.
    if (text[end] === '\n') end++;
    else if (start >= 1 && text[start - 1] === '\n' && text[start - 2] === '\n') start--;
    return { start, end, text: '' };
  }
  const start = lineStartOf(text, spec.start);
  let end = lineEndOf(text, spec.end) + 1;
  const before = text.slice(lineStartOf(text, start - 1), start - 1);
  const after = text.slice(end, lineEndOf(text, end));
  // Removing the only spec of a group leaves its two blank neighbours adjacent, or a blank line before `)`.
  if (before.trim() === '' && (after.trim() === '' || after.trim() === ')')) {
    return { start: start - 1 - before.length, end, text: '' };
  }
  if (before.trim() === '(' && after.trim() === '') end = lineEndOf(text, end) + 1;
  return { start, end, text: '' };
}

/**
 * Two imports added at one place (`corev1` and `discoveryv1` before `metav1`) are two inserts at one offset,
 * which the engine counts as overlapping. Merges them into one insert, in path order as gofmt sorts them.
 */
export function mergeImportInserts(edits: Edit[]): Edit[] {
  const importPath = (e: Edit) => /"([^"]+)"/.exec(e.text)?.[1];
  const out: Edit[] = [];
  for (const edit of edits) {
    const path = edit.start === edit.end ? importPath(edit) : undefined;
    const twin = path !== undefined ? out.find((o) => o.start === edit.start && o.end === edit.end && importPath(o) !== undefined) : undefined;
    if (!twin) {
      out.push(edit);
      continue;
    }
    const pieces = [twin.text, edit.text].sort((a, b) => importPath({ ...edit, text: a })!.localeCompare(importPath({ ...edit, text: b })!));
    twin.text = pieces.join('');
  }
  return out;
}
