/**
 * Appending a suffix (`-ipv6`, `-2`) to a templated `metadata.name` so that it still renders to a valid name.
 *
 * Appending text after the action is right for `{{ include "x.fullname" . }}`, but not when the action renders
 * its own quotes: `{{ .Release.Name | quote }}-ipv6` renders as `"rel"-ipv6`, which is not YAML, and the whole
 * chart stops rendering. A quoting function at the end of a Helm pipeline (`quote`, `squote`, `printf "%q"`,
 * `toJson`, ...) is therefore kept at the end and the suffix goes before it:
 * `{{ .Release.Name | printf "%s-ipv6" | quote }}` renders as `"rel-ipv6"`. A pipeline fed to the quoting function as
 * an argument (`{{ quote .Release.Name }}`) is turned into the same form. Where a quoting function sits anywhere
 * else, or the action is not one Helm pipeline, the name cannot be taken apart safely and the caller reports it.
 */

export type Suffixed = { ok: true; raw: string } | { ok: false; reason: string };

/** Helm (sprig) functions whose output carries its own quotes. */
const QUOTING_FUNCTIONS = ['quote', 'squote', 'toJson', 'toRawJson', 'toPrettyJson'];
/** Jinja/Ansible filters whose output carries its own quotes. */
const JINJA_QUOTING_FILTERS = ['quote', 'to_json', 'to_nice_json', 'tojson'];

const ACTION = /^(\{\{-?\s*)([\s\S]*?)(\s*-?\}\})$/;

/** The quoting function `text` calls, if any (names inside string literals do not count; a `%q` format does). */
function mentionsAny(text: string, words: string[]): string | undefined {
  if (/%q/.test(text)) return 'printf "%q"';
  const code = text.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""');
  return words.find((word) => new RegExp(`(^|[^\\w.$])${word}(?![\\w])`).test(code));
}

/**
 * The top-level pieces of `text` split at `separator` (`|` between commands, or a space between arguments),
 * outside string literals ("...", `...`, '.') and parentheses. Undefined when quotes or parentheses do not balance.
 */
function splitTopLevel(text: string, separator: '|' | ' '): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === '`' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += c === '"' && text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return undefined;
      i = j;
    } else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth < 0) return undefined;
    } else if (depth === 0 && (separator === '|' ? c === '|' : /\s/.test(c))) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  parts.push(text.slice(start));
  return separator === ' ' ? parts.filter((p) => p !== '') : parts.map((p) => p.trim());
}

/** The quoting command at the end of a pipeline, and the pipeline whose value it quotes. */
function splitQuoting(pipeline: string): { quoting: string; quoted: string } | undefined {
  const commands = splitTopLevel(pipeline, '|');
  if (!commands || commands.some((c) => c === '')) return undefined;
  const last = splitTopLevel(commands[commands.length - 1], ' ');
  if (!last || last.length === 0) return undefined;
  const piped = commands.slice(0, -1).join(' | ');
  const [fn, ...args] = last;
  // `x | quote` / `quote x`, and `x | printf "%q"` / `printf "%q" x`.
  const quoting = QUOTING_FUNCTIONS.includes(fn) ? fn : fn === 'printf' && args[0] === '"%q"' ? 'printf "%q"' : undefined;
  if (!quoting) return undefined;
  const own = fn === 'printf' ? args.slice(1) : args;
  if (piped && own.length === 0) return { quoting, quoted: piped };
  if (!piped && own.length === 1) return { quoting, quoted: own[0] };
  return undefined;
}

/** `raw` (a YAML scalar's source holding template directives) with `suffix` appended to the value it renders. */
export function appendToTemplate(raw: string, suffix: string, jinja = false): Suffixed {
  if (!suffix) return { ok: true, raw };
  const quote = raw[0];
  // A quoted YAML scalar: the suffix goes inside the quotes.
  if ((quote === '"' || quote === "'") && raw.endsWith(quote) && raw.length > 1) return { ok: true, raw: raw.slice(0, -1) + suffix + quote };
  const quoting = mentionsAny(raw, jinja ? JINJA_QUOTING_FILTERS : QUOTING_FUNCTIONS);
  if (!quoting) return { ok: true, raw: raw + suffix };
  const example = jinja ? '' : ` (e.g. {{ <the name> | printf "%s${suffix}" | quote }})`;
  const cannot = (why: string): Suffixed => ({
    ok: false,
    reason:
      `the name ${raw} renders its own quotes (${quoting}) and ${why}, so "${suffix}" cannot be appended to it safely ` +
      `(the chart would render "name"${suffix}); write the names of the slices by hand${example}`,
  });
  if (jinja) return cannot('Jinja templates are not rewritten');
  const action = ACTION.exec(raw);
  if (!action || /\{\{|\}\}/.test(action[2])) return cannot('it is not one {{ }} action');
  const [, open, pipeline, close] = action;
  const parts = splitQuoting(pipeline);
  if (!parts) return cannot('the quoting is not the last step of its pipeline');
  if (mentionsAny(parts.quoted, QUOTING_FUNCTIONS)) return cannot('it is quoted more than once');
  return { ok: true, raw: `${open}${parts.quoted} | printf "%s${suffix}" | ${parts.quoting}${close}` };
}
