/**
 * Shell commands in text: where they are (script files, Makefile recipes, Dockerfile RUN instructions, fenced
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

const DOCKER_SHELL_INSTRUCTIONS = /^[ \t]*(RUN|CMD|ENTRYPOINT)[ \t]+((?:--[\w-]+=\S*[ \t]+)*)/i;

/** The shell-form bodies of RUN, CMD and ENTRYPOINT instructions (the exec form `["..."]` runs no shell). */
export function dockerfileRegions(text: string): CommandRegion[] {
  const regions: CommandRegion[] = [];
  const starts = lineStarts(text);
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i];
    let end = lineEnd(text, start);
    const first = i;
    while (continues(text, end) && i + 1 < starts.length) end = lineEnd(text, starts[++i]);
    const match = DOCKER_SHELL_INSTRUCTIONS.exec(text.slice(starts[first], end));
    if (!match) continue;
    const body = start + match[0].length;
    if (text[body] === '[') continue;
    regions.push({ start: body, end });
  }
  return regions;
}

/** The whole file (shell scripts; Makefiles, whose recipes and `$(shell ...)` calls are commands). */
export function wholeFile(text: string): CommandRegion[] {
  return [{ start: 0, end: text.length }];
}
