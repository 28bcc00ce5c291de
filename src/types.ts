/**
 * The contracts between the engine (`src/`), the rules (`rules/`) and the codemods (`codemods/`).
 *
 * The engine knows rules only through `Rule`; a rule knows the engine only through `RuleContext`.
 * Codemods are plain functions a rule calls to turn what it found into `Edit`s; they never touch files.
 */

export type Severity = 'error' | 'warning';
export type RuleSetting = Severity | 'off';

/**
 * Languages slicefix can parse. `json` shares the YAML parser (JSON is YAML 1.2) but codemods must write JSON
 * back into a `.json` file, so it is a language of its own. The text-only languages (shell, makefile,
 * dockerfile, markdown) have no AST: their `ast` is the text itself, split into lines.
 */
export type LanguageId =
  | 'yaml'
  | 'json'
  | 'go'
  | 'typescript'
  | 'shell'
  | 'makefile'
  | 'dockerfile'
  | 'markdown'
  | 'alloy';

/** A replacement of `text.slice(start, end)` by `text`. Offsets are JS string indices into `SourceText.text`. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface ParseProblem {
  message: string;
  /** Offset into the text where the problem starts, when the parser knows it. */
  offset?: number;
  /**
   * The code is valid but newer than the parser, which read the construct as a close older one: the rest of the
   * AST is sound, so its findings stand, but the file is not fixed.
   */
  newerThanParser?: boolean;
}

export interface ParseResult<AST = unknown> {
  ast: AST;
  /**
   * Syntax errors. With errors present rules still run on the (partial) AST and report, but the engine
   * applies no fix to the file: a rewrite next to broken syntax cannot be proven safe.
   */
  errors: ParseProblem[];
}

/** One language's parser. Loaded lazily: `src/languages/index.ts` imports it only when a file needs it. */
export interface LanguageSupport<AST = unknown> {
  id: LanguageId;
  /** Line-comment opener used for inline suppressions (`# slicefix-ignore-next-line`). */
  lineComment: '#' | '//' | '<!--' | null;
  parse(text: string, file: string): ParseResult<AST>;
  /**
   * Frees what an AST holds outside the JavaScript heap, once the engine is done with it (tree-sitter's trees live
   * in WebAssembly memory, which grows to its peak and never shrinks, and which the garbage collector does not see).
   */
  dispose?(ast: AST): void;
}

/** A file as the engine read it: BOM removed, line endings as they were. */
export interface SourceText {
  /** Path relative to the current directory, with `/` separators (what reports show). */
  path: string;
  absPath: string;
  language: LanguageId;
  text: string;
}

/** Options shared by codemods, from `.slicefix.yaml`. */
export interface Settings {
  /** Value of `endpointslice.kubernetes.io/managed-by` on slices slicefix writes. */
  managedBy: string;
  /** Split generated slices at this many endpoints (1..1000). */
  maxEndpointsPerSlice: number;
}

/**
 * Facts gathered across the whole scan before any rule checks a file (for example: which Services have a
 * selector, which Roles exist). Keys are owned by the rule that collects them.
 */
export interface RepoFacts {
  add<T>(key: string, value: T): void;
  get<T>(key: string): readonly T[];
}

export interface RuleReport {
  /** Offsets into `SourceText.text`; the range covers the whole offending object or expression. */
  start: number;
  end: number;
  messageId: string;
  data?: Record<string, string | number>;
  /** The edits that fix this finding. Present only when the rewrite was proven safe. */
  fix?: Edit[];
  /**
   * A rewrite that is right for most code but that the differential harness shows to answer differently in some
   * cluster state (Ruff's "unsafe fix", clippy's `MaybeIncorrect`, ESLint's suggestion). It is shown, and applied
   * only with `--unsafe-fixes`, never by plain `--fix`; the message must name the difference. Ignored when `fix`
   * is present.
   */
  unsafeFix?: Edit[];
}

export interface RuleContext<AST = unknown> {
  readonly file: SourceText;
  /** The parsed file (parsed once per pass and shared between rules). */
  readonly ast: AST;
  readonly settings: Settings;
  readonly facts: RepoFacts;
  report(report: RuleReport): void;
}

export interface CollectContext<AST = unknown> {
  readonly file: SourceText;
  readonly ast: AST;
  readonly facts: RepoFacts;
}

export interface RuleMeta {
  id: string;
  /** Default severity; `.slicefix.yaml` can change it or turn the rule off. */
  severity: Severity;
  /** One line, shown in `--list-rules` and SARIF. */
  description: string;
  /** Longer help text for SARIF `help`. */
  help: string;
  /** Path of the rule's page inside the repository, e.g. `rules/endpoints-manifest.md`. */
  docs: string;
  languages: LanguageId[];
  /**
   * Cheap pre-filter: the rule runs only on files whose text contains at least one of these strings.
   * Choose texts every match must contain, so that most files are never parsed.
   */
  triggers: string[];
  fixable: boolean;
  /** Name of the codemod (file in `codemods/`) that produces this rule's fixes, if any. */
  codemod?: string;
  /** Message templates keyed by id; `{{name}}` is replaced from `RuleReport.data`. */
  messages: Record<string, string>;
  /**
   * Optional repository-wide collection pass over the files matching these, run before any `check`, and only when
   * some file passed the rule's own `triggers` (narrowed further by `collectNeeds`).
   */
  collect?: { languages: LanguageId[]; triggers: string[] };
  /**
   * For these languages, the rule looks only at files whose path (as reports show it: relative to the current
   * directory, `/`-separated) matches, like ESLint's and ast-grep's `files`. Other files of the language are
   * neither searched for the triggers nor parsed for this rule, so a file the rule could never report on cannot
   * cost time or fail to parse on its behalf.
   */
  paths?: Partial<Record<LanguageId, RegExp>>;
  /**
   * A second, sharper pre-filter on a file's decoded text, for rules whose triggers are common words (every script
   * mentions kubectl; few name the endpoints resource). False only when the rule certainly reports nothing in the
   * file: it must hold on every file the rule can report on. A file it rejects is not parsed for the rule, so it
   * costs no parse and cannot fail to parse on the rule's behalf. Keep it to one regular expression or indexOf.
   */
  mayReport?(text: string, language: LanguageId): boolean;
}

export interface Rule<AST = any> {
  meta: RuleMeta;
  /**
   * Loads what `check` needs at run time beyond the parsed file (a schema, a renderer). Awaited once, and only
   * when some file passed the rule's pre-filter, so start-up never pays for it. Use dynamic `import()`.
   */
  prepare?(): Promise<void>;
  check(context: RuleContext<AST>): void;
  collect?(context: CollectContext<AST>): void;
  /**
   * Narrows collection to what this file's check can use: texts a collected file must contain to matter to it
   * (e.g. the names of the Endpoints it holds). Called for each file that passed the rule's `triggers`; return
   * undefined when any file could matter. A rule with no file to check collects nothing at all.
   */
  collectNeeds?(context: CollectContext<AST>): string[] | undefined;
}

/** A finding as reports show it (the JSON report's contract). */
export interface Finding {
  ruleId: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  fixable: boolean;
  /** Only an unsafe fix exists (applied with `--unsafe-fixes`); absent otherwise, so the JSON contract is unchanged. */
  unsafeFixable?: true;
}

export interface FileError {
  file: string;
  message: string;
}

export interface Summary {
  filesScanned: number;
  filesSkipped: number;
  findings: number;
  fixable: number;
  /** Files written by --fix. */
  fixed: number;
}

/** Where a scan's work went (`--stats`, the benchmark). Not part of any report format. */
export interface ScanStats {
  /** Files the walk returned. */
  filesWalked: number;
  /** Files whose bytes were read. */
  filesRead: number;
  /** Files that passed some rule's or collector's byte pre-filter. */
  filesMatched: number;
  /** Files parsed at least once. */
  filesParsed: number;
  /** Parser calls, including the re-parses of the fix loop. */
  parses: number;
  /** In a parallel scan: files read in one thread and passed on to the thread that parses their language. */
  filesHandedOff: number;
  walkMs: number;
  readMs: number;
  checkMs: number;
}

/**
 * One region of a file's text a fix replaces: 1-based, the end exclusive (a start equal to the end is an
 * insertion). Columns count UTF-16 code units, as the findings' do.
 */
export interface TextReplacement {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  text: string;
}

export interface FileDiff {
  file: string;
  patch: string;
  replacements: TextReplacement[];
}

export interface ScanResult {
  findings: Finding[];
  errors: FileError[];
  summary: Summary;
  /** What --fix changed or (with --dry-run) would change, by file: a unified diff and the same as replacements. */
  diffs: FileDiff[];
  stats?: ScanStats;
}
