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
import { indexAliases, isAlias, walkNodes } from './yaml-nodes.js';

const { parseAllDocuments } = await importYaml();

export type { TemplateDirective, YamlAst } from './helm.js';

/**
 * How many nodes a document's aliases may add to those written. Following aliases is what turns a few hundred
 * bytes into billions of values (the "billion laughs"); real manifests reuse a label map or a port list a few
 * times. A document over the limit is reported and not checked, so no rule can expand it.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

/** Why a document's aliases make it unsafe to read, or undefined. */
function aliasProblem(doc: Document.Parsed, aliases: YamlAst['aliases']): ParseProblem | undefined {
  const index = indexAliases(doc.contents);
  for (const [alias, target] of index.targets) aliases.set(alias, target);
  if (index.expanded - index.written <= MAX_ALIAS_EXPANSION) return undefined;
  let offset: number | undefined;
  walkNodes(doc.contents, (node) => {
    if (offset === undefined && isAlias(node)) offset = node.range?.[0];
  });
  const message = Number.isFinite(index.expanded)
    ? `YAML aliases expand this document by more than ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} nodes (an alias bomb); the document is not checked`
    : 'a YAML alias stands inside the node it refers to (a cycle, which no Kubernetes object can be); the document is not checked';
  return { message, offset };
}

function parseManifest(text: string, file: string): { ast: YamlAst; errors: ParseProblem[] } {
  const directives = findDirectives(text, isJinjaTemplate(file));
  const masked = maskDirectives(text, directives);
  // Duplicate keys are an error in plain YAML (the API server would reject or silently merge them), but not in a
  // template: `{{ if }} key: a {{ else }} key: b {{ end }}` defines one key twice once the branches are masked.
  const parsed = parseAllDocuments(masked, { uniqueKeys: directives.length === 0, prettyErrors: false }) as unknown;
  const docs: Document.Parsed[] = Array.isArray(parsed) ? (parsed as Document.Parsed[]) : [];
  const errors: ParseProblem[] = [];
  const aliases: YamlAst['aliases'] = new Map();
  const documents: Document.Parsed[] = [];
  for (const doc of docs) {
    for (const error of doc.errors) errors.push({ message: error.message.split('\n')[0], offset: error.pos[0] });
    const problem = aliasProblem(doc, aliases);
    if (problem) errors.push(problem);
    else documents.push(doc);
  }
  return { ast: { documents, directives, masked, aliases }, errors };
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
