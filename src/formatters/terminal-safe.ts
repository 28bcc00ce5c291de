/**
 * Text for a terminal or a CI log that came from the scanned repository (file names, object names quoted in
 * messages). Control characters in it would reach the terminal raw: an escape sequence can recolour, erase or
 * rewrite lines (a crafted file name printed a fake "✔ no problems"), a CR returns to the line's start. Every C0
 * control, DEL, every C1 control and the bidirectional overrides (which reorder what a reader sees, "Trojan
 * Source") are written as visible escapes instead: `\n`, `\r`, `\t`, `\x1b`, `\u202e`.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, visible);
}
