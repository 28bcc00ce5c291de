/**
 * Reading a file once, and turning bytes into the text rules see. The BOM is removed here and restored on write;
 * line endings are left alone (codemods write `\n`, which `adaptLineEndings` turns into the file's own ending).
 * Text is UTF-8, or UTF-16 with a byte order mark (Windows tools write it, and kubectl reads it), which is written
 * back as UTF-16 of the same byte order.
 */
import { TextDecoder } from 'node:util';

const BOM = '\uFEFF';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const strictUtf16 = { 'utf-16le': new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }), 'utf-16be': new TextDecoder('utf-16be', { fatal: true, ignoreBOM: true }) };

export type Utf16 = 'utf-16le' | 'utf-16be';

export interface DecodedText {
  text: string;
  bom: boolean;
  eol: '\n' | '\r\n';
  /** Absent: UTF-8. UTF-16 always has its BOM. */
  encoding?: Utf16;
}

export type DecodeOutcome = { ok: true; value: DecodedText } | { ok: false; reason: 'binary' | 'encoding'; message: string };

/** UTF-16 by its byte order mark (without one, UTF-16 is not told from binary data). */
export function utf16Of(bytes: Buffer): Utf16 | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

export function isBinary(bytes: Buffer): boolean {
  return bytes.indexOf(0) !== -1;
}

/**
 * The bytes as UTF-8, for byte-level searches (the pre-filter's triggers are UTF-8): UTF-16 is converted (what
 * does not decode becomes U+FFFD here, so that such a file is still found, and decode() reports it), anything else
 * is returned as it is.
 */
export function utf8View(bytes: Buffer): Buffer {
  const utf16 = utf16Of(bytes);
  return utf16 ? Buffer.from(new TextDecoder(utf16, { ignoreBOM: true }).decode(bytes.subarray(2)), 'utf8') : bytes;
}

export function decode(bytes: Buffer): DecodeOutcome {
  const utf16 = utf16Of(bytes);
  if (utf16) return decodeUtf16(bytes, utf16);
  if (isBinary(bytes)) return { ok: false, reason: 'binary', message: 'binary' };
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'encoding', message: `not valid UTF-8 text (${describeInvalidUtf8(bytes)})` };
  }
  const bom = text.startsWith(BOM);
  if (bom) text = text.slice(1);
  return { ok: true, value: { text, bom, eol: dominantEol(text) } };
}

function decodeUtf16(bytes: Buffer, encoding: Utf16): DecodeOutcome {
  let text: string;
  try {
    text = strictUtf16[encoding].decode(bytes.subarray(2));
  } catch {
    return { ok: false, reason: 'encoding', message: `not valid ${encoding.toUpperCase()} text (it starts with that byte order mark)` };
  }
  if (text.includes('\0')) return { ok: false, reason: 'binary', message: 'binary' };
  return { ok: true, value: { text, bom: true, eol: dominantEol(text), encoding } };
}

export function encode(decoded: DecodedText): Buffer {
  if (decoded.encoding) {
    const bytes = Buffer.from(BOM + decoded.text, 'utf16le');
    return decoded.encoding === 'utf-16be' ? bytes.swap16() : bytes;
  }
  return Buffer.from((decoded.bom ? BOM : '') + decoded.text, 'utf8');
}

/** Where the first byte that is not UTF-8 is, for the error (called only on text that failed to decode). */
function describeInvalidUtf8(bytes: Buffer): string {
  const at = firstInvalidUtf8(bytes);
  if (at < 0) return 'it does not decode';
  let line = 1;
  for (let i = bytes.indexOf(10); i !== -1 && i < at; i = bytes.indexOf(10, i + 1)) line++;
  return `byte 0x${bytes[at].toString(16).toUpperCase().padStart(2, '0')} on line ${line}`;
}

function firstInvalidUtf8(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const more = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (more < 0) return i;
    for (let k = 1; k <= more; k++) if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF.
    const next = bytes[i + 1];
    if ((b === 0xe0 && next < 0xa0) || (b === 0xed && next > 0x9f) || (b === 0xf0 && next < 0x90) || (b === 0xf4 && next > 0x8f)) return i;
    i += more + 1;
  }
  return -1;
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
