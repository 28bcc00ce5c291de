/**
 * Shell commands in text: where they are (script files, Makefile recipes, Dockerfile instructions, fenced
 * shell blocks in Markdown, CI `run:`/`script:` steps) and how they split into words.
 *
 * This is not a shell. It knows enough of the grammar to tell a command from text that only mentions one:
 * quotes (`echo "kubectl get ep"` is one word), comments, separators (`;`, `&&`, `|`, newlines), line
 * continuations, redirections (`2>/dev/null` is no argument), and command substitutions (`$(...)`, backticks,
 * also inside double quotes), whose commands are commands too. Offsets are offsets into the file's text, so
 * rules can rewrite single words.
 */

export interface ShellWord {
  start: number;
  end: number;
  /** The word as written, quotes included. */
  raw: string;
  /** The word with quotes and escapes removed (expansions are kept as written). */
  value: string;
  /** Contains a quote character. */
  quoted: boolean;
  /** Contains a parameter expansion, command substitution or template expression (`$X`, `$(..)`, `${{ }}`). */
  expanded: boolean;
}

export interface ShellCommand {
  words: ShellWord[];
  /** The command's output goes to another command: `|` follows it. */
  piped: boolean;
  /** The command runs inside `$(...)` or backticks: its output is captured as text. */
  captured: boolean;
}

export interface ShellDialect {
  /** Makefile: `$$` is a literal `$`, `$(shell ...)` runs a command. */
  makefile?: boolean;
  /** Folded YAML text (`>` blocks, multi-line plain scalars): a line break is a space, a blank line a break. */
  folded?: boolean;
}

/** A stretch of a file that holds shell commands. */
export interface CommandRegion {
  start: number;
  end: number;
  /**
   * Inside a Dockerfile instruction's exec form (a JSON array): `array` is the array itself, one command whose
   * words are its strings; `script` is the script string of `["sh", "-c", "..."]`. Either way the text is JSON.
   */
  execForm?: 'array' | 'script';
}

const OPERATOR_CHARS = ';&|()<>';
const isBlank = (ch: string | undefined) => ch === ' ' || ch === '\t' || ch === '\r';
const IDENT_PAREN = /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)/y;

class Parser {
  readonly commands: ShellCommand[] = [];

  constructor(
    private readonly text: string,
    private readonly end: number,
    private readonly dialect: ShellDialect,
  ) {}

  /** Parses commands from `pos` until `closer` (or the end); returns the offset after the closer. */
  parseList(pos: number, closer: ')' | '`' | null, captured: boolean): number {
    const { text } = this;
    let words: ShellWord[] = [];
    let redirectTarget = false;
    const finish = (piped: boolean) => {
      if (words.length) this.commands.push({ words, piped, captured });
      words = [];
      redirectTarget = false;
    };
    while (pos < this.end) {
      const ch = text[pos];
      if (ch === closer) {
        finish(false);
        return pos + 1;
      }
      if (ch === '\\' && (text[pos + 1] === '\n' || (text[pos + 1] === '\r' && text[pos + 2] === '\n'))) {
        pos += text[pos + 1] === '\n' ? 2 : 3;
        continue;
      }
      if (isBlank(ch)) {
        pos++;
        continue;
      }
      if (ch === '\n' && this.dialect.folded && !/^[ \t]*(\r?\n|$)/.test(text.slice(pos + 1, pos + 200))) {
        pos++;
        continue;
      }
      if (ch === '\n') {
        finish(false);
        pos++;
        continue;
      }
      if (ch === '#') {
        const nl = text.indexOf('\n', pos);
        pos = nl === -1 || nl > this.end ? this.end : nl;
        continue;
      }
      if (ch === '<' || ch === '>' || (ch === '&' && text[pos + 1] === '>')) {
        // `2>/dev/null`: a file descriptor number written against the operator belongs to the redirection.
        const last = words[words.length - 1];
        if (last && last.end === pos && /^\d+$/.test(last.raw)) words.pop();
        pos++;
        while (pos < this.end && /[<>&|-]/.test(text[pos]) && !(text[pos] === '&' && text[pos + 1] === '&')) pos++;
        redirectTarget = true;
        continue;
      }
      if (OPERATOR_CHARS.includes(ch)) {
        finish(ch === '|' && text[pos + 1] !== '|');
        pos += (ch === '&' || ch === '|' || ch === ';') && text[pos + 1] === ch ? 2 : 1;
        continue;
      }
      const word = this.parseWord(pos, closer);
      pos = word.end;
      if (redirectTarget) redirectTarget = false;
      else words.push(word);
    }
    finish(false);
    return pos;
  }

  private parseWord(start: number, closer: ")" | "`" | null): ShellWord {
    const { text } = this;
    let pos = start;
    let value = '';
    let quoted = false;
    let expanded = false;
    while (pos < this.end) {
      const ch = text[pos];
      if (isBlank(ch) || ch === '\n' || OPERATOR_CHARS.includes(ch) || ch === closer) break;
      if (ch === '\\') {
        if (text[pos + 1] === '\n' || text[pos + 1] === '\r') break;
        value += text[pos + 1] ?? '';
        pos += 2;
      } else if (ch === "'") {
        const close = text.indexOf("'", pos + 1);
        const stop = close === -1 || close >= this.end ? this.end : close;
        value += text.slice(pos + 1, stop);
        quoted = true;
        pos = stop + 1;
      } else if (ch === '"') {
        const after = this.parseDoubleQuoted(pos + 1);
        value += text.slice(pos + 1, after - 1);
        quoted = true;
        pos = after;
      } else if (ch === '$' || ch === '`') {
        const after = this.parseExpansion(pos);
        value += text.slice(pos, after);
        expanded = true;
        pos = after;
      } else {
        value += ch;
        pos++;
      }
    }
    pos = Math.min(pos, this.end);
    return { start, end: pos, raw: text.slice(start, pos), value, quoted, expanded };
  }

  /** From just inside `"` to just after the closing `"`. */
  private parseDoubleQuoted(pos: number): number {
    const { text } = this;
    while (pos < this.end) {
      const ch = text[pos];
      if (ch === '"') return pos + 1;
      if (ch === '\\') pos += 2;
      else if (ch === '$' || ch === '`') pos = this.parseExpansion(pos);
      else pos++;
    }
    return this.end;
  }

  /** An expansion starting at `pos` (`$...` or a backtick); returns the offset after it. */
  private parseExpansion(pos: number): number {
    const { text } = this;
    if (text[pos] === '`') return this.parseList(pos + 1, '`', true);
    const next = text[pos + 1];
    if (this.dialect.makefile && next === '$') {
      // `$$(cmd)` in a recipe is the shell's `$(cmd)`; `$$VAR` the shell's `$VAR`.
      return text[pos + 2] === '(' ? this.parseExpansion(pos + 1) : pos + 2 + (text.slice(pos + 2).match(/^[A-Za-z_0-9]*/)?.[0].length ?? 0);
    }
    if (text.startsWith('${{', pos)) {
      // A GitHub Actions expression, substituted before the shell runs.
      const close = text.indexOf('}}', pos + 3);
      return close === -1 || close >= this.end ? this.end : close + 2;
    }
    if (next === '{') return this.skipBalanced(pos + 1, '{', '}');
    if (next === '(') {
      if (text[pos + 2] === '(') return this.skipBalanced(pos + 1, '(', ')');
      IDENT_PAREN.lastIndex = pos;
      const variable = IDENT_PAREN.exec(text);
      // `$(KUBECTL)` is a variable in a Makefile; in a shell script it would run a command of that name, so
      // treating it as one word is right for both.
      if (variable && variable[1] !== 'shell') return pos + variable[0].length;
      if (this.dialect.makefile && text.startsWith('$(shell', pos) && isBlank(text[pos + 7])) {
        return this.parseList(pos + 8, ')', true);
      }
      return this.parseList(pos + 2, ')', true);
    }
    let end = pos + 1;
    if (/[@*#?$!0-9-]/.test(text[end] ?? '')) return end + 1;
    while (end < this.end && /[A-Za-z0-9_]/.test(text[end])) end++;
    return end;
  }

  private skipBalanced(pos: number, open: string, close: string): number {
    let depth = 0;
    for (let i = pos; i < this.end; i++) {
      if (this.text[i] === open) depth++;
      else if (this.text[i] === close && --depth === 0) return i + 1;
    }
    return this.end;
  }
}

/** The commands in `text[region.start, region.end)`, including those inside command substitutions. */
export function parseCommands(text: string, region: CommandRegion, dialect: ShellDialect = {}): ShellCommand[] {
  if (region.execForm === 'array') return execFormCommand(text, region);
  const parser = new Parser(text, region.end, dialect);
  parser.parseList(region.start, null, false);
  return parser.commands;
}

/** Offsets where each line of `text` starts. */
function lineStarts(text: string, from = 0, to = text.length): number[] {
  const starts: number[] = [];
  for (let pos = from; pos < to; ) {
    starts.push(pos);
    const nl = text.indexOf('\n', pos);
    if (nl === -1 || nl >= to) break;
    pos = nl + 1;
  }
  return starts;
}

function lineEnd(text: string, start: number): number {
  const nl = text.indexOf('\n', start);
  return nl === -1 ? text.length : nl;
}

/** Whether the line ending at `end` (exclusive) continues on the next one (`\` at its end). */
function continues(text: string, end: number): boolean {
  let i = end;
  if (text[i - 1] === '\r') i--;
  return text[i - 1] === '\\';
}

const SHELL_FENCES = new Set(['sh', 'bash', 'shell', 'zsh', 'console', 'shell-session', 'shellsession', 'terminal']);
/** In these, only lines after a prompt are commands; the rest is the commands' output. */
const SESSION_FENCES = new Set(['console', 'shell-session', 'shellsession', 'terminal']);
const PROMPT = /^[ \t]*(?:[\w.@~:/-]*)?[$#%>][ \t]+/;

/**
 * Fenced shell code blocks of a Markdown file. In `console` blocks only prompted lines (`$ kubectl ...`) count;
 * in `sh`/`bash` blocks a leading `$ ` prompt is skipped. Prose and inline code are never commands.
 */
export function markdownRegions(text: string): CommandRegion[] {
  const regions: CommandRegion[] = [];
  const starts = lineStarts(text);
  let fence: { char: string; length: number; session: boolean; shell: boolean } | undefined;
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i];
    const end = lineEnd(text, start);
    const line = text.slice(start, end);
    const marker = /^[ \t>]*(`{3,}|~{3,})[ \t]*([^`\s]*)/.exec(line);
    if (!fence) {
      if (marker) {
        const info = marker[2].replace(/^\{?\.?/, '').replace(/\}$/, '').toLowerCase();
        fence = { char: marker[1][0], length: marker[1].length, session: SESSION_FENCES.has(info), shell: SHELL_FENCES.has(info) };
      }
      continue;
    }
    if (marker && marker[1][0] === fence.char && marker[1].length >= fence.length && marker[2] === '') {
      fence = undefined;
      continue;
    }
    if (!fence.shell) continue;
    const prompt = /^[ \t]*\$[ \t]+/.exec(line) ?? (fence.session ? PROMPT.exec(line) : null);
    if (fence.session && !prompt) continue;
    let regionEnd = end;
    // A command continued with `\` goes on over the next lines.
    while (continues(text, regionEnd) && i + 1 < starts.length) regionEnd = lineEnd(text, starts[++i]);
    regions.push({ start: start + (prompt ? prompt[0].length : 0), end: regionEnd });
  }
  return regions;
}

/** Blanks, or a line continuation: what separates the words of a Dockerfile instruction. */
const GAP = String.raw`(?:[ \t]|\\\r?\n)+`;
/** Flags such as `--mount=type=cache,target=/root/.cache` or `--interval=30s`. */
const FLAGS = String.raw`(?:--[\w-]+(?:=[^\s\\]*)?${GAP})*`;
/**
 * The instructions whose argument is a command: RUN, CMD, ENTRYPOINT, `HEALTHCHECK [flags] CMD`, each also after
 * ONBUILD. (SHELL takes only the exec form, naming the shell, and runs nothing by itself.)
 */
const DOCKER_COMMAND_INSTRUCTION = new RegExp(
  String.raw`^[ \t]*(?:ONBUILD${GAP})?(?:RUN|CMD|ENTRYPOINT|HEALTHCHECK${GAP}${FLAGS}CMD)${GAP}${FLAGS}`,
  'i',
);
/** A here-document opener (BuildKit): `<<EOF`, `<<-EOF`, `<<"EOF"`; not a here-string `<<<`. */
const HEREDOC = /(?<!<)<<(-?)(["']?)([A-Za-z_][\w.-]*)\2/g;
/** A body whose first here-document is the script: `<<EOF`, or a shell reading it (`bash -e <<EOF`). */
const HEREDOC_SCRIPT = /^(?:(?:\S*\/)?(?:ba|da|a|z)?sh(?:[ \t]+-[\w-]+)*[ \t]+)?<<-?["']?[A-Za-z_]/;
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

/** A line Docker drops inside a continued instruction: a comment, or an empty line. */
function isDroppedLine(text: string, start: number): boolean {
  return /^[ \t]*(?:#|\r?\n|\r?$)/.test(text.slice(start, start + 2000));
}

/**
 * A Dockerfile exec form (`["kubectl", "get", "ep"]`) opening at `start` (its `[`): its strings as words, and the
 * offset after its `]`; undefined when it is not a JSON array of strings.
 */
function execForm(text: string, start: number, end: number): { words: ShellWord[]; end: number } | undefined {
  const words: ShellWord[] = [];
  const string = /[ \t]*(?:\\\r?\n[ \t]*)*("(?:[^"\\\n]|\\.)*")/y;
  const separator = /[ \t]*(?:\\\r?\n[ \t]*)*([,\]])/y;
  let pos = start + 1;
  for (;;) {
    string.lastIndex = pos;
    const match = string.exec(text);
    if (!match || string.lastIndex > end) return undefined;
    let value: string;
    try {
      value = JSON.parse(match[1]) as string;
    } catch {
      return undefined;
    }
    words.push({ start: string.lastIndex - match[1].length, end: string.lastIndex, raw: match[1], value, quoted: true, expanded: false });
    separator.lastIndex = string.lastIndex;
    const next = separator.exec(text);
    if (!next || separator.lastIndex > end) return undefined;
    if (next[1] === ']') return { words, end: separator.lastIndex };
    pos = separator.lastIndex;
  }
}

/** The lines that could end a here-document, by text: finding a terminator stays linear in a crafted file. */
class HeredocTerminators {
  private readonly exact = new Map<string, number[]>();
  private readonly tabsStripped = new Map<string, number[]>();

  constructor(text: string, starts: number[]) {
    starts.forEach((start, line) => {
      const content = text.slice(start, lineEnd(text, start)).replace(/\r$/, '');
      if (!/^\t*[A-Za-z_][\w.-]*$/.test(content)) return;
      const add = (map: Map<string, number[]>, key: string) => (map.get(key) ?? map.set(key, []).get(key)!).push(line);
      add(this.exact, content);
      add(this.tabsStripped, content.replace(/^\t+/, ''));
    });
  }

  /** The first line after `line` that ends a here-document of `word` (`<<-`: after leading tabs). */
  after(line: number, word: string, stripTabs: boolean): number | undefined {
    const lines = (stripTabs ? this.tabsStripped : this.exact).get(word);
    if (!lines) return undefined;
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lines[mid] > line) hi = mid;
      else lo = mid + 1;
    }
    return lines[lo];
  }
}

/**
 * Where a Dockerfile runs commands: the shell form of RUN, CMD, ENTRYPOINT and `HEALTHCHECK CMD` (also after
 * ONBUILD), continued over lines with `\` (Docker drops comment and empty lines inside), a here-document that is
 * the script (`RUN <<EOF`, `RUN bash <<EOF`), and the exec form (`CMD ["kubectl", ...]`, one command; with
 * `["sh", "-c", "..."]` its script).
 */
export function dockerfileRegions(text: string): CommandRegion[] {
  const regions: CommandRegion[] = [];
  const starts = lineStarts(text);
  let terminators: HeredocTerminators | undefined;
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i];
    let end = lineEnd(text, start);
    while (continues(text, end) && i + 1 < starts.length) {
      i++;
      while (i + 1 < starts.length && isDroppedLine(text, starts[i])) i++;
      end = lineEnd(text, starts[i]);
    }
    const instruction = text.slice(start, end);
    const match = DOCKER_COMMAND_INSTRUCTION.exec(instruction);
    const body = match ? start + match[0].length : end;
    const bodyText = text.slice(body, end);
    // Here-documents follow the instruction's last line, on any instruction (COPY <<EOF too): their lines are
    // never instructions themselves.
    let script = match !== null && HEREDOC_SCRIPT.test(bodyText);
    for (const heredoc of instruction.matchAll(HEREDOC)) {
      const [, strip, , word] = heredoc;
      const contentStart = i + 1 < starts.length ? starts[i + 1] : text.length;
      terminators ??= new HeredocTerminators(text, starts);
      const terminator = terminators.after(i, word, strip === '-');
      // Without its terminator it is no here-document (BuildKit refuses the file): the lines stay instructions.
      if (terminator === undefined) break;
      if (script) regions.push({ start: contentStart, end: starts[terminator] });
      script = false;
      i = terminator;
    }
    if (!match) continue;
    if (text[body] !== '[') {
      regions.push({ start: body, end });
      continue;
    }
    const form = execForm(text, body, end);
    if (!form) continue;
    const { words } = form;
    if (words.length >= 3 && SHELLS.has(words[0].value.split('/').pop()!) && /^-\w*c$/.test(words[1].value)) {
      regions.push({ start: words[2].start + 1, end: words[2].end - 1, execForm: 'script' });
    } else {
      regions.push({ start: body, end: form.end, execForm: 'array' });
    }
  }
  return regions;
}

/** The command of an exec-form region: its JSON strings are its words. */
function execFormCommand(text: string, region: CommandRegion): ShellCommand[] {
  const words = execForm(text, region.start, region.end)?.words ?? [];
  return words.length ? [{ words, piped: false, captured: false }] : [];
}

/** The whole file (shell scripts; Makefiles, whose recipes and `$(shell ...)` calls are commands). */
export function wholeFile(text: string): CommandRegion[] {
  return [{ start: 0, end: text.length }];
}
