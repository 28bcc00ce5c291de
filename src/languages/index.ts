/**
 * Which language a file is, and its parser, loaded on first use. Start-up time matters in a pre-commit hook, so
 * no parser module is imported until a file of its language passes the pre-filter.
 */
import path from 'node:path';
import type { LanguageId, LanguageSupport } from '../types.js';

type Loader = () => Promise<LanguageSupport>;

/** Languages with a parser. A language without an entry is not scanned. */
const loaders: Partial<Record<LanguageId, Loader>> = {
  yaml: async () => (await import('./yaml.js')).yamlLanguage,
  json: async () => (await import('./yaml.js')).jsonLanguage,
  shell: async () => (await import('./text.js')).shellLanguage,
  makefile: async () => (await import('./text.js')).makefileLanguage,
  dockerfile: async () => (await import('./text.js')).dockerfileLanguage,
  markdown: async () => (await import('./text.js')).markdownLanguage,
  go: async () => (await import('./go.js')).goLanguage,
  typescript: async () => (await import('./typescript.js')).typescriptLanguage as LanguageSupport,
  alloy: async () => (await import('./alloy.js')).alloyLanguage as LanguageSupport,
};

const loaded = new Map<LanguageId, Promise<LanguageSupport>>();

export function hasLanguage(id: LanguageId): boolean {
  return loaders[id] !== undefined;
}

export function loadLanguage(id: LanguageId): Promise<LanguageSupport> {
  let support = loaded.get(id);
  if (!support) {
    const loader = loaders[id];
    if (!loader) throw new Error(`no parser for language ${id}`);
    support = loader();
    loaded.set(id, support);
  }
  return support;
}

const byExtension: Record<string, LanguageId> = {
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
  '.go': 'go',
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'typescript',
  '.jsx': 'typescript',
  '.mjs': 'typescript',
  '.cjs': 'typescript',
  '.sh': 'shell',
  '.bash': 'shell',
  '.zsh': 'shell',
  '.mk': 'makefile',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.dockerfile': 'dockerfile',
  // Grafana Alloy, and Grafana Agent Flow's name for the same syntax.
  '.alloy': 'alloy',
  '.river': 'alloy',
};

/** Extensions of Jinja templates, whose `{% %}` statements and `{# #}` comments are masked like `{{ }}`. */
const JINJA_EXTENSIONS = ['.j2', '.jinja', '.jinja2'];

/** Whether a file is a Jinja template (see detectLanguage). */
export function isJinjaTemplate(file: string): boolean {
  return JINJA_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/** File names (no extension) that have a language of their own. */
export const knownNames = ['Makefile', 'makefile', 'GNUmakefile', 'Dockerfile', 'Containerfile'];

/**
 * The language of a file from its name, or from its first line for extensionless scripts
 * (`#!/bin/sh`, `#!/usr/bin/env bash`). Returns undefined for files slicefix does not read. `head` may be a
 * function: it is called only for a file without an extension (most files never need their first line).
 */
export function detectLanguage(file: string, head?: string | (() => string)): LanguageId | undefined {
  const base = path.basename(file);
  const ext = path.extname(base).toLowerCase();
  // Jinja templates (Ansible roles such as kubespray's `*.yml.j2`): manifests by their inner extension.
  if (JINJA_EXTENSIONS.includes(ext)) {
    const inner = path.extname(base.slice(0, -ext.length)).toLowerCase();
    return inner === '.yaml' || inner === '.yml' ? 'yaml' : inner === '.json' ? 'json' : undefined;
  }
  if (byExtension[ext]) return byExtension[ext];
  if (base === 'Makefile' || base === 'makefile' || base === 'GNUmakefile') return 'makefile';
  if (base === 'Dockerfile' || base === 'Containerfile' || base.startsWith('Dockerfile.')) return 'dockerfile';
  if (!ext && head !== undefined && /^#!.*\b(ba|z|k|da)?sh\b/.test(typeof head === 'function' ? head() : head)) return 'shell';
  return undefined;
}
