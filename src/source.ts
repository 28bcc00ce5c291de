/**
 * Reading a file once, and turning bytes into the text rules see. The BOM is removed here and restored on write;
 * line endings are left alone (codemods write `\n`, which `adaptLineEndings` turns into the file's own ending).
 */
import { TextDecoder } from 'node:util';

const UTF8_BOM = '\uFEFF';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface DecodedText {
  text: string;
  bom: boolean;
  eol: '\n' | '\r\n';
}

export type DecodeOutcome = { ok: true; value: DecodedText } | { ok: false; reason: 'binary' | 'encoding' };

export function isBinary(bytes: Buffer): boolean {
  return bytes.indexOf(0) !== -1;
}

export function decode(bytes: Buffer): DecodeOutcome {
  if (isBinary(bytes)) return { ok: false, reason: 'binary' };
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'encoding' };
  }
  const bom = text.startsWith(UTF8_BOM);
  if (bom) text = text.slice(1);
  return { ok: true, value: { text, bom, eol: dominantEol(text) } };
}

export function encode(decoded: DecodedText): Buffer {
  return Buffer.from((decoded.bom ? UTF8_BOM : '') + decoded.text, 'utf8');
}

function dominantEol(text: string): '\n' | '\r\n' {
  // Most files have no CR at all: that answer needs no count of every line.
  if (!text.includes('\r')) return '\n';
  const lf = (text.match(/\n/g) ?? []).length;
  const crlf = (text.match(/\r\n/g) ?? []).length;
  return crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n';
}

/** Codemods write `\n`; in a CRLF file every new line they add must be CRLF too. */
export function adaptLineEndings(text: string, eol: '\n' | '\r\n'): string {
  return eol === '\n' ? text : text.replace(/\r?\n/g, '\r\n');
}
