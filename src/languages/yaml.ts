/**
 * YAML and JSON manifests, including unrendered Helm templates: directives are masked first (see `helm.ts`),
 * so templates parse where pluto gives up, and AST offsets stay offsets in the file.
 * Rules import types from here, and runtime helpers from `helm.ts` and `yaml-nodes.ts`, never this module:
 * it loads the YAML parser.
 */
import type { Document } from 'yaml';
import type { LanguageSupport, ParseProblem } from '../types.js';
import { findDirectives, maskDirectives, type YamlAst } from './helm.js';
import { isJinjaTemplate } from './index.js';
import { importYaml } from './yaml-import.js';

const { parseAllDocuments } = await importYaml();

export type { TemplateDirective, YamlAst } from './helm.js';

function parseManifest(text: string, file: string): { ast: YamlAst; errors: ParseProblem[] } {
  const directives = findDirectives(text, isJinjaTemplate(file));
  const masked = maskDirectives(text, directives);
  // Duplicate keys are an error in plain YAML (the API server would reject or silently merge them), but not in a
  // template: `{{ if }} key: a {{ else }} key: b {{ end }}` defines one key twice once the branches are masked.
  const documents = parseAllDocuments(masked, { uniqueKeys: directives.length === 0, prettyErrors: false }) as unknown;
  const docs: Document.Parsed[] = Array.isArray(documents) ? (documents as Document.Parsed[]) : [];
  const errors: ParseProblem[] = [];
  for (const doc of docs) {
    for (const error of doc.errors) errors.push({ message: error.message.split('\n')[0], offset: error.pos[0] });
  }
  return { ast: { documents: docs, directives, masked }, errors };
}

export const yamlLanguage: LanguageSupport<YamlAst> = {
  id: 'yaml',
  lineComment: '#',
  parse: (text, file) => parseManifest(text, file),
};

export const jsonLanguage: LanguageSupport<YamlAst> = {
  id: 'json',
  lineComment: null,
  parse: (text, file) => parseManifest(text, file),
};
