/**
 * `kubectl get|describe|edit|delete|patch endpoints` in scripts, Makefiles, Dockerfiles, CI steps and shell
 * blocks of Markdown. Reads are rewritten to EndpointSlices by label; writes are reported with guidance.
 */
import type { Node, Scalar } from 'yaml';
import { isMap, isPair, isScalar, isSeq, walkNodes } from '../src/languages/yaml-nodes.js';
import { kubectlToEndpointSlices, SERVICE_NAME_LABEL, type KubectlRewrite } from '../codemods/kubectl-endpointslices.js';
import type { TemplateDirective, YamlAst } from '../src/languages/yaml.js';
import {
  dockerfileRegions,
  markdownRegions,
  parseCommands,
  wholeFile,
  type CommandRegion,
  type ShellCommand,
  type ShellDialect,
  type ShellWord,
} from '../src/shell.js';
import type { Edit, LanguageId, Rule, RuleContext } from '../src/types.js';
import { pushAll } from '../src/push-all.js';

const ENDPOINTS_NAMES = new Set(['endpoints', 'endpoint', 'ep']);

/**
 * Text every file holds in which some command names the resource `ep`, `endpoint` or `endpoints` (see
 * isEndpointsType): the name as a whole word of the text, where quotes and backslashes may stand between its letters
 * (`e"p"` is the word `ep` to a shell). A word's value is its raw text without quotes and backslashes, so the name
 * in it starts a word or follows a comma, and ends it or goes on with `,`, `/` or `.`; around it the raw text has
 * no letter or digit (nor, after it, `_` or `-`) but through quotes and backslashes. `deploy`, `step`, `grep` and
 * `endpointslices` do not pass. YAML is not tested: its double-quoted scalars have escapes such as `\x65`.
 */
const Q = `["'\\\\]*`;
const ENDPOINTS_NAME_IN_TEXT = new RegExp(
  `(?<![A-Za-z0-9]${Q})e${Q}(?:p|n${Q}d${Q}p${Q}o${Q}i${Q}n${Q}t(?:${Q}s)?)(?!${Q}[A-Za-z0-9_-])`,
  'i',
);

/** False when no command in the text can name the endpoints resource: most scripts that run kubectl never do. */
export function mayNameEndpoints(text: string, language: LanguageId): boolean {
  return language === 'yaml' || ENDPOINTS_NAME_IN_TEXT.test(text);
}
const READ_VERBS = new Set(['get', 'describe']);
const WRITE_VERBS = new Set(['edit', 'delete', 'patch']);

/** Words that may stand before the command itself: `sudo kubectl`, `FOO=1 kubectl`, `then kubectl`. */
const PREFIX_WORDS = new Set(['exec', 'time', 'nohup', 'command', 'builtin', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{', 'k3s', 'microk8s']);
/** Prefix commands whose own flags take a value. */
const PREFIX_VALUE_FLAGS: Record<string, Set<string>> = {
  sudo: new Set(['-u', '-g', '-C', '-h', '-p', '-U']),
  env: new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string']),
  watch: new Set(['-n', '--interval']),
  timeout: new Set(['-s', '--signal', '-k', '--kill-after']),
  xargs: new Set(['-n', '-I', '-L', '-P', '-d', '-E', '-s', '-a']),
};
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** kubectl flags that take a value in the next word (`-n shop`); all others are switches. */
const VALUE_FLAGS = new Set([
  '-n', '--namespace', '--context', '--kubeconfig', '--cluster', '--user', '-s', '--server', '--token', '--as',
  '--as-group', '--as-uid', '--request-timeout', '--certificate-authority', '--client-certificate', '--client-key',
  '--tls-server-name', '--username', '--password', '--cache-dir', '-v', '--v', '--vmodule', '--log-file',
  '-o', '--output', '-l', '--selector', '-L', '--label-columns', '--field-selector', '--sort-by', '--template',
  '--chunk-size', '-f', '--filename', '-k', '--kustomize', '--subresource', '-p', '--patch', '--patch-file',
  '--type', '--grace-period', '--timeout', '--field-manager', '--profile', '--profile-output',
]);
const SWITCHES = new Set([
  '-A', '--all-namespaces', '-w', '--watch', '--watch-only', '--no-headers', '--show-labels', '--show-kind',
  '--ignore-not-found', '--all', '--now', '--force', '--wait', '-R', '--recursive', '--server-print',
  '--show-managed-fields', '--allow-missing-template-keys', '--insecure-skip-tls-verify', '--match-server-version',
  '--warnings-as-errors', '--dry-run', '--local', '--record', '--overwrite', '-i', '--interactive', '--validate',
  '--output-watch-events', '--show-events', '--cascade', '--windows-line-endings', '--save-config',
]);
/** Output formats that print the object's fields by path: the paths of an Endpoints object do not exist on a slice. */
const TEMPLATE_OUTPUT = /^(jsonpath|jsonpath-as-json|jsonpath-file|go-template|go-template-file|template|templatefile|custom-columns|custom-columns-file)\b/;

/** One kubectl invocation, split the way kubectl reads it. */
export interface KubectlCall {
  command: ShellCommand;
  /** The `kubectl` word. */
  kubectl: ShellWord;
  args: ShellWord[];
  positionals: ShellWord[];
  /** Flag name → value word (or the flag word itself for `--flag=value` and switches). */
  flags: Map<string, string>;
  /** Flags this rule does not know: whether the next word is their value cannot be told. */
  unknownFlags: string[];
  /** Run through xargs: more names are appended at run time. */
  viaXargs: boolean;
}

function isKubectlWord(word: ShellWord): boolean {
  const value = word.value.replace(/^[@+-]+/, '');
  const base = value.slice(value.lastIndexOf('/') + 1);
  if (base === 'kubectl' || base === 'kubectl.exe' || base === 'microk8s.kubectl') return true;
  return /^\$(\{|\()?[A-Za-z_]*KUBECTL[A-Za-z_]*(\}|\))?$/i.test(value);
}

/** Finds the kubectl word of a command, skipping prefixes such as `sudo`, `VAR=x` or a Markdown prompt. */
function findKubectl(command: ShellCommand): { index: number; viaXargs: boolean } | undefined {
  const { words } = command;
  let viaXargs = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (isKubectlWord(word)) return { index: i, viaXargs };
    if (word.quoted && !word.expanded) return undefined;
    const value = word.value;
    if (ASSIGNMENT.test(word.raw) || PREFIX_WORDS.has(value)) continue;
    const withFlags = PREFIX_VALUE_FLAGS[value];
    if (withFlags) {
      if (value === 'xargs') viaXargs = true;
      // Skip the prefix command's own flags (and `timeout`'s duration).
      while (i + 1 < words.length && words[i + 1].value.startsWith('-')) {
        i++;
        if (withFlags.has(words[i].value)) i++;
      }
      if (value === 'timeout' && i + 1 < words.length && /^\d/.test(words[i + 1].value)) i++;
      continue;
    }
    return undefined;
  }
  return undefined;
}

export function readKubectlCall(command: ShellCommand): KubectlCall | undefined {
  const found = findKubectl(command);
  if (!found) return undefined;
  const args = command.words.slice(found.index + 1);
  const call: KubectlCall = {
    command,
    kubectl: command.words[found.index],
    args,
    positionals: [],
    flags: new Map(),
    unknownFlags: [],
    viaXargs: found.viaXargs,
  };
  for (let i = 0; i < args.length; i++) {
    const value = args[i].value;
    if (value === '--') {
      pushAll(call.positionals, args.slice(i + 1));
      break;
    }
    if (!value.startsWith('-') || value === '-') {
      call.positionals.push(args[i]);
      continue;
    }
    const eq = value.indexOf('=');
    if (value.startsWith('--')) {
      const name = eq === -1 ? value : value.slice(0, eq);
      if (eq !== -1) call.flags.set(name, value.slice(eq + 1));
      else if (VALUE_FLAGS.has(name) && i + 1 < args.length) call.flags.set(name, args[++i].value);
      else if (SWITCHES.has(name)) call.flags.set(name, '');
      else call.unknownFlags.push(name);
      continue;
    }
    // Short flags: `-n shop`, `-nshop`, `-n=shop`, `-oyaml`, `-A`.
    const name = value.slice(0, 2);
    if (VALUE_FLAGS.has(name)) {
      if (value.length > 2) call.flags.set(name, value.slice(value[2] === '=' ? 3 : 2));
      else if (i + 1 < args.length) call.flags.set(name, args[++i].value);
    } else if (SWITCHES.has(name) && value.length === 2) call.flags.set(name, '');
    else call.unknownFlags.push(value);
  }
  return call;
}

/** `endpoints`, `ep`, `Endpoints.v1`: a name kubectl resolves to core v1 Endpoints. */
export function isEndpointsType(type: string): boolean {
  return ENDPOINTS_NAMES.has(type.toLowerCase().replace(/\.v1\.?$/, '').replace(/\.$/, ''));
}

interface Analysis {
  verb: string;
  /** `kubectl get ep web`, shortened for messages. */
  shown: string;
  services: string[];
  rewrite?: KubectlRewrite;
  /** Why the use is not rewritten, when it is not. */
  reason?: string;
}

function outputFlag(call: KubectlCall): string | undefined {
  return call.flags.get('-o') ?? call.flags.get('--output');
}

/** The endpoints use in a kubectl call, if any, and whether and how it can be rewritten. */
export function analyse(call: KubectlCall): Analysis | undefined {
  const [verbWord, typeWord, ...rest] = call.positionals;
  if (!verbWord || !typeWord) return undefined;
  const verb = verbWord.value;
  if (!READ_VERBS.has(verb) && !WRITE_VERBS.has(verb)) return undefined;

  const slashForm = typeWord.value.includes('/');
  let types: string[];
  let nameWords: ShellWord[];
  let names: string[];
  if (slashForm) {
    const all = [typeWord, ...rest];
    const pairs = all.map((w) => w.value.split('/'));
    if (!pairs.some(([type]) => isEndpointsType(type))) return undefined;
    types = pairs.map(([type]) => type);
    nameWords = rest;
    names = pairs.map(([, name]) => name);
  } else {
    types = typeWord.value.split(',');
    if (!types.some(isEndpointsType)) return undefined;
    nameWords = rest;
    names = rest.map((w) => w.raw);
  }
  const source = call.kubectl.raw + ' ' + call.args.map((w) => w.raw).join(' ');
  const shown = source.length > 80 ? `${source.slice(0, 77)}...` : source;
  const analysis: Analysis = { verb, shown, services: names.filter(Boolean) };
  if (WRITE_VERBS.has(verb)) return analysis;

  const why = whyNotRewritten(call, types, slashForm, names, typeWord);
  if (why) return { ...analysis, reason: why };
  const newType = slashForm
    ? 'endpointslices'
    : [...new Set(types.map((t) => (isEndpointsType(t) ? 'endpointslices' : t)))].join(',');
  const before = new Map<ShellWord, ShellWord>();
  const ordered = [call.kubectl, ...call.args];
  for (const word of nameWords) before.set(word, ordered[ordered.indexOf(word) - 1]);
  const rewrite: KubectlRewrite = {
    typeWord,
    newType,
    nameWords,
    names: slashForm ? names : nameWords.map((w) => w.raw),
    before,
  };
  return { ...analysis, rewrite };
}

function whyNotRewritten(call: KubectlCall, types: string[], slashForm: boolean, names: string[], typeWord: ShellWord): string | undefined {
  if (call.unknownFlags.length) return `slicefix does not know the flag ${call.unknownFlags[0]}, so it cannot tell names from flag values`;
  if (call.viaXargs) return 'xargs appends more arguments at run time, which would become slice names';
  if (typeWord.expanded || typeWord.quoted) return 'the resource type is quoted or computed';
  if (names.length && !types.every(isEndpointsType)) {
    return `the names apply to every type in "${typeWord.value}", and EndpointSlices are not named after their Service`;
  }
  if (slashForm && names.some((n) => !n)) return 'a TYPE/NAME argument has no name';
  if (call.flags.has('-f') || call.flags.has('--filename') || call.flags.has('-k') || call.flags.has('--kustomize')) {
    return 'the objects come from a file';
  }
  if (names.length && (call.flags.has('-l') || call.flags.has('--selector'))) return 'it combines names with a label selector';
  if (call.flags.has('--field-selector')) return 'its field selector names fields of the Endpoints object';
  const output = outputFlag(call);
  if ((output && TEMPLATE_OUTPUT.test(output)) || call.flags.has('--template') || call.flags.has('--sort-by')) {
    return 'its output template reads the Endpoints shape (subsets[].addresses[].ip); a slice has endpoints[].addresses[] and a list of slices has items[]';
  }
  if (call.command.piped || call.command.captured) {
    return 'its output is read by another command, and EndpointSlices print other columns and another JSON shape';
  }
  return undefined;
}

const GITHUB_YAML = /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$|(^|\/)action\.ya?ml$/;
const GITLAB_YAML = /(^|\/|\.)gitlab-ci\.ya?ml$|(^|\/)\.gitlab\/.*\.ya?ml$/;
/** The YAML files that hold commands: GitHub workflows and actions, GitLab CI files. */
const CI_YAML = new RegExp(`${GITHUB_YAML.source}|${GITLAB_YAML.source}`);

/** Where the commands are in a YAML file: GitHub workflow/action `run:` steps, GitLab CI `script:` lines. */
function yamlRegions(ast: YamlAst, path: string): CommandRegion[] {
  const workflow = GITHUB_YAML.test(path);
  const gitlab = GITLAB_YAML.test(path);
  if (!workflow && !gitlab) return [];
  const keys = workflow ? new Set(['run']) : new Set(['script', 'before_script', 'after_script']);
  const regions: CommandRegion[] = [];
  const addScalars = (node: Node | null | undefined) => {
    if (isScalar(node) && typeof node.value === 'string' && node.range) regions.push(scalarRegion(node, ast.masked));
    else if (isSeq(node)) for (const item of node.items) addScalars(item as Node);
  };
  for (const doc of ast.documents) {
    walkNodes(doc.contents, (node) => {
      if (!isMap(node)) return;
      for (const pair of node.items) {
        if (isPair(pair) && isScalar(pair.key) && keys.has(String(pair.key.value)) && !isMap(pair.value)) addScalars(pair.value as Node);
      }
    });
  }
  return regions;
}

interface YamlRegion extends CommandRegion {
  /** Quoted flow scalars: a rewrite would need YAML escaping, so they are only reported. */
  quotedScalar?: boolean;
  /** Folded text, whose line breaks are spaces. */
  folded?: boolean;
}

function scalarRegion(node: Scalar, text: string): YamlRegion {
  const [start, end] = node.range!;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const nl = text.indexOf('\n', start);
    return { start: nl === -1 ? end : Math.min(nl + 1, end), end, folded: node.type === 'BLOCK_FOLDED' };
  }
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return { start: start + 1, end: end - 1, quotedScalar: true };
  return { start, end, folded: true };
}

function regionsOf(context: RuleContext): { regions: YamlRegion[]; dialect: ShellDialect; directives: TemplateDirective[] } {
  const { file } = context;
  switch (file.language) {
    case 'markdown':
      return { regions: markdownRegions(file.text), dialect: {}, directives: [] };
    case 'dockerfile':
      return { regions: dockerfileRegions(file.text), dialect: {}, directives: [] };
    case 'makefile':
      return { regions: wholeFile(file.text), dialect: { makefile: true }, directives: [] };
    case 'yaml': {
      const ast = context.ast as YamlAst;
      // `${{ ... }}` in a workflow is a GitHub expression, not a Helm directive.
      const directives = ast.directives.filter((d) => file.text[d.start - 1] !== '$');
      return { regions: yamlRegions(ast, file.path), dialect: {}, directives };
    }
    default:
      return { regions: wholeFile(file.text), dialect: {}, directives: [] };
  }
}

const languages: LanguageId[] = ['shell', 'makefile', 'dockerfile', 'markdown', 'yaml'];

export const endpointsKubectl: Rule = {
  meta: {
    id: 'endpoints-kubectl',
    severity: 'error',
    description: 'kubectl commands that read or change v1 Endpoints (deprecated in Kubernetes 1.33)',
    help:
      'kubectl get/describe/edit/delete/patch endpoints uses the core v1 Endpoints API, deprecated since Kubernetes 1.33. ' +
      `A Service's endpoints are the EndpointSlices (discovery.k8s.io/v1) labelled ${SERVICE_NAME_LABEL}=<service>; ` +
      'there can be several per Service. --fix rewrites get/describe to `kubectl get endpointslices -l ' +
      `${SERVICE_NAME_LABEL}=<service>\`; edit/delete/patch are reported with guidance.`,
    docs: 'rules/endpoints-kubectl.md',
    languages,
    triggers: ['kubectl', 'KUBECTL'],
    // Other YAML files that mention kubectl (docs in comments, Helm notes, plugin manifests) hold no commands.
    paths: { yaml: CI_YAML },
    mayReport: mayNameEndpoints,
    fixable: true,
    codemod: 'kubectl-endpointslices',
    messages: {
      read:
        '`{{command}}` reads v1 Endpoints (deprecated since Kubernetes 1.33); use `{{replacement}}`: a Service has ' +
        `0..n EndpointSlices (discovery.k8s.io/v1), found by the label ${SERVICE_NAME_LABEL}, not by name`,
      readManual:
        '`{{command}}` reads v1 Endpoints (deprecated since Kubernetes 1.33); use `kubectl {{verb}} endpointslices -l ' +
        `${SERVICE_NAME_LABEL}={{service}}\` (discovery.k8s.io/v1). Not rewritten automatically: {{reason}}`,
      delete:
        '`{{command}}` deletes v1 Endpoints (deprecated since Kubernetes 1.33). For a Service with a selector the ' +
        'control plane recreates its EndpointSlices; for a selectorless Service delete its slices: `kubectl delete ' +
        `endpointslices -l ${SERVICE_NAME_LABEL}={{service}}\` (not rewritten automatically)`,
      edit:
        '`{{command}}` edits v1 Endpoints (deprecated since Kubernetes 1.33). Change the Service (or its Pods), or for a ' +
        'selectorless Service edit its EndpointSlices, listed by `kubectl get endpointslices -l ' +
        `${SERVICE_NAME_LABEL}={{service}}\`; slices hold endpoints[].addresses, not subsets (not rewritten automatically)`,
      patch:
        '`{{command}}` patches v1 Endpoints (deprecated since Kubernetes 1.33). Patch the EndpointSlices labelled ' +
        `${SERVICE_NAME_LABEL}={{service}} instead, with a patch for their shape (endpoints[].addresses and ports[], ` +
        'not subsets[]); not rewritten automatically',
    },
  },
  check(context) {
    const { file } = context;
    const { regions, dialect, directives } = regionsOf(context);
    for (const region of regions) {
      for (const command of parseCommands(file.text, region, { ...dialect, folded: region.folded })) {
        const call = readKubectlCall(command);
        if (!call) continue;
        const analysis = analyse(call);
        if (!analysis) continue;
        const start = call.kubectl.start + (call.kubectl.raw.match(/^[@+-]+/)?.[0].length ?? 0);
        const end = call.args[call.args.length - 1].end;
        const service = analysis.services.length === 1 ? analysis.services[0] : '<service>';
        const data = { command: analysis.shown, verb: analysis.verb, service };
        if (WRITE_VERBS.has(analysis.verb)) {
          context.report({ start, end, messageId: analysis.verb, data });
          continue;
        }
        let reason = analysis.reason;
        let fix: Edit[] | undefined;
        if (analysis.rewrite) {
          if (region.quotedScalar) reason = 'it is inside a quoted YAML string';
          else if (region.execForm) reason = 'it is in the exec form (a JSON array) of a Dockerfile instruction';
          else if (directives.some((d) => d.start < end && d.end > start)) reason = 'it contains a template directive';
          else {
            fix = kubectlToEndpointSlices(analysis.rewrite);
            if (!fix) reason = 'a Service name is neither a plain name nor a simple variable';
          }
        }
        if (fix) {
          const replacement = describeReplacement(fix, file.text, start, end);
          context.report({ start, end, messageId: 'read', data: { ...data, replacement }, fix });
        } else {
          context.report({ start, end, messageId: 'readManual', data: { ...data, reason: reason ?? 'unknown' } });
        }
      }
    }
  },
};

/** The command after the fix, for the message. */
function describeReplacement(fix: Edit[], text: string, start: number, end: number): string {
  let out = text.slice(start, end);
  for (const edit of [...fix].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, edit.start - start) + edit.text + out.slice(edit.end - start);
  }
  // Line continuations joined with one space. Split rather than /\s*\\\r?\n\s*/, which tries every start in a
  // run of blanks and made a line with a long one quadratic (200k spaces after `kubectl`: over a minute).
  const parts = out.split(/\\\r?\n/);
  out = parts.map((part, i) => (i > 0 ? part.trimStart() : part)).map((part, i) => (i < parts.length - 1 ? part.trimEnd() : part)).join(' ');
  return out.length > 100 ? `${out.slice(0, 97)}...` : out;
}
