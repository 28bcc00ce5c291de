/**
 * `--cache`: remembers, per file, what the last scan concluded, keyed by the file's content hash (as ESLint's
 * `--cache --cache-strategy content`), so a repeated scan of an unchanged monorepo reads and parses almost nothing.
 *
 * - A file whose size, mtime and ctime are those recorded, and that was last modified well before it was hashed,
 *   is trusted without reading (a change inside the same clock tick as the hashing cannot hide). Any other file is
 *   read and its SHA-1 compared, so a file touched but unchanged is still a hit.
 * - A verdict is reused only under the same slicefix version, rules, severities and settings (the signature).
 * - Findings of a file that passed a pre-filter may depend on facts collected from other files (a Service's
 *   selector, a Role's grants): they are reused only when every collected fact is the same as when they were
 *   computed (the facts digest). The facts a file contributes are cached with it and replayed on a hit, when
 *   they are plain JSON; a file whose facts are not is always read and collected.
 * - Files with errors, and files `--fix` rewrote, are never cached.
 * - The cache file is signed (HMAC-SHA256) with a key the scanned repository cannot hold: `SLICEFIX_CACHE_KEY`, or a
 *   random key kept in the user's cache folder. A cache file written anywhere else (committed to the repository,
 *   crafted to hide findings, copied from another machine) fails the check and is ignored, as is one whose
 *   entries are not what this version writes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { Finding, Settings } from './types.js';

export const DEFAULT_CACHE_FILE = '.slicefix-cache';
const FORMAT = 2;
/** Metadata is trusted only for files last modified at least this long before they were hashed. */
const RACY_MS = 2000;

/** A fact a file contributed: its key and value. */
export type CachedFact = [string, unknown];

export interface CacheEntry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** When the file was read and hashed (ms since the epoch). */
  checkedAt: number;
  hash: string;
  /** The file has a language slicefix reads (it counts as scanned). */
  scanned: boolean;
  /** Passed some rule's pre-filter: `findings` (possibly none) were computed under `factsDigest`. */
  matched: boolean;
  findings?: Finding[];
  factsDigest?: string;
  /** The facts this file's content contributes to the repository (replayed on a hit). */
  facts?: CachedFact[];
}

export interface FileMeta {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** The cache file's first line; the rest of the file is the JSON of its entries by absolute path, which `mac` signs. */
interface CacheHeader {
  format: number;
  signature: string;
  mac: string;
}

/** Why a cache file on disk was not used (a missing one, or one of another version or configuration, is no news). */
export type CacheRejection = 'unsigned' | 'malformed';

/** Where the key that signs this user's caches is kept, unless SLICEFIX_CACHE_KEY gives one. */
export function cacheKeyFile(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'slicefix', 'cache-key');
}

const KEY_TEXT = /^[0-9a-f]{64}$/;

/**
 * The key that signs this user's caches: SLICEFIX_CACHE_KEY, else the key file (created on first use, readable by
 * its owner only). Undefined when neither can be had (then there is no cache: see the CLI).
 */
export function cacheKey(env: NodeJS.ProcessEnv): Buffer | undefined {
  if (env.SLICEFIX_CACHE_KEY) return Buffer.from(env.SLICEFIX_CACHE_KEY, 'utf8');
  const file = cacheKeyFile(env);
  const read = () => {
    const text = fs.readFileSync(file, 'utf8').trim();
    return KEY_TEXT.test(text) ? Buffer.from(text, 'utf8') : undefined;
  };
  try {
    return read();
  } catch {
    // Not there yet: create it below.
  }
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // `wx`: of two runs creating it at once, one writes it and both use that one.
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
  } catch {
    // Another run created it first, or the folder is not writable.
  }
  try {
    return read();
  } catch {
    return undefined;
  }
}

function mac(key: Buffer, signature: string, body: string): string {
  return crypto.createHmac('sha256', key).update(signature).update('\n').update(body).digest('hex');
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isOptional = <T>(v: unknown, check: (v: unknown) => v is T) => v === undefined || check(v);

function isFinding(v: unknown): v is Finding {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return (
    isString(f.ruleId) && (f.severity === 'error' || f.severity === 'warning') && isString(f.file) && isString(f.message) &&
    isNumber(f.line) && isNumber(f.column) && isNumber(f.endLine) && isNumber(f.endColumn) && typeof f.fixable === 'boolean'
  );
}

/** An entry as this version writes it (a signed cache is ours, but a bug of an earlier build must not crash a scan). */
function isEntry(v: unknown): v is CacheEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    isNumber(e.size) && isNumber(e.mtimeMs) && isNumber(e.ctimeMs) && isNumber(e.checkedAt) &&
    isString(e.hash) && /^[0-9a-f]{40}$/.test(e.hash) && typeof e.scanned === 'boolean' && typeof e.matched === 'boolean' &&
    isOptional(e.findings, (x): x is Finding[] => Array.isArray(x) && x.every(isFinding)) &&
    isOptional(e.factsDigest, isString) &&
    isOptional(e.facts, (x): x is CachedFact[] => Array.isArray(x) && x.every((fact) => Array.isArray(fact) && fact.length === 2 && isString(fact[0])))
  );
}

export function hashBytes(bytes: Buffer): string {
  return crypto.createHash('sha1').update(bytes).digest('hex');
}

/** What a scan's verdicts depend on besides the files themselves. */
export function cacheSignature(toolVersion: string, rules: { id: string; severity: string }[], settings: Settings, cwd = ''): string {
  // Reports name files relative to the current directory, and so do cached findings and facts.
  return hashBytes(Buffer.from(JSON.stringify({ toolVersion, rules, settings, cwd })));
}

function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    return (proto === Object.prototype || proto === null) && Object.values(value as object).every(isPlainJson);
  }
  return false;
}

/** The facts a file contributed, if they survive a trip through JSON unchanged; otherwise null. */
export function cacheableFacts(facts: CachedFact[]): CachedFact[] | null {
  return facts.every(([, value]) => isPlainJson(value)) ? facts : null;
}

/**
 * A digest of every collected fact, independent of the order files were read in. Facts that are not plain JSON
 * (class instances, Maps, AST nodes) cannot be compared across runs: the digest is then unique to this run, and
 * no cached finding that depends on facts is reused.
 */
export function factsDigest(facts: Iterable<[string, readonly unknown[]]>): string {
  const parts: string[] = [];
  for (const [key, values] of facts) {
    if (!values.every(isPlainJson)) return `unhashable-${crypto.randomUUID()}`;
    parts.push(`${JSON.stringify(key)}:${values.map((v) => JSON.stringify(v)).sort().join(',')}`);
  }
  return hashBytes(Buffer.from(parts.sort().join('\n')));
}

export class FileCache {
  private constructor(
    readonly location: string,
    private readonly signature: string,
    private readonly key: Buffer,
    private readonly files: Map<string, CacheEntry>,
    /** Set when the file at `location` was there for this configuration but could not be trusted. */
    readonly rejected?: CacheRejection,
  ) {}

  /**
   * Loads the cache at `location`, signed with `key` (see cacheKey). A missing or unreadable cache, one of another
   * version or configuration, one not signed with this key, or one with malformed entries starts empty.
   */
  static load(location: string, signature: string, key: Buffer): FileCache {
    let text: string;
    try {
      text = fs.readFileSync(location, 'utf8');
    } catch {
      return new FileCache(location, signature, key, new Map());
    }
    const newline = text.indexOf('\n');
    let header: Partial<CacheHeader> = {};
    try {
      header = JSON.parse(newline === -1 ? text : text.slice(0, newline)) as Partial<CacheHeader>;
    } catch {
      // Not a cache this version wrote: start afresh.
    }
    if (typeof header !== 'object' || header === null || header.format !== FORMAT || header.signature !== signature) {
      return new FileCache(location, signature, key, new Map());
    }
    const body = text.slice(newline + 1);
    const expected = Buffer.from(mac(key, signature, body), 'hex');
    const given = Buffer.from(typeof header.mac === 'string' && /^[0-9a-f]{64}$/.test(header.mac) ? header.mac : '', 'hex');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      return new FileCache(location, signature, key, new Map(), 'unsigned');
    }
    try {
      const files = JSON.parse(body) as unknown;
      if (typeof files === 'object' && files !== null && !Array.isArray(files) && Object.values(files).every(isEntry)) {
        return new FileCache(location, signature, key, new Map(Object.entries(files as Record<string, CacheEntry>)));
      }
    } catch {
      // Falls through to a malformed cache.
    }
    return new FileCache(location, signature, key, new Map(), 'malformed');
  }

  get size(): number {
    return this.files.size;
  }

  /** The entry of a file whose metadata proves it unchanged, without reading it. */
  unchanged(absPath: string, meta: FileMeta): CacheEntry | undefined {
    const entry = this.files.get(absPath);
    if (!entry) return undefined;
    const same = entry.size === meta.size && entry.mtimeMs === meta.mtimeMs && entry.ctimeMs === meta.ctimeMs;
    return same && entry.mtimeMs < entry.checkedAt - RACY_MS ? entry : undefined;
  }

  /** The entry of a file read again whose bytes are those recorded (its metadata is brought up to date). */
  sameContent(absPath: string, bytes: Buffer, meta: FileMeta | undefined): CacheEntry | undefined {
    const entry = this.files.get(absPath);
    if (!entry || entry.size !== bytes.length || entry.hash !== hashBytes(bytes)) return undefined;
    if (meta) Object.assign(entry, { mtimeMs: meta.mtimeMs, ctimeMs: meta.ctimeMs, checkedAt: Date.now() });
    return entry;
  }

  record(absPath: string, bytes: Buffer, meta: FileMeta | undefined, verdict: Pick<CacheEntry, 'scanned' | 'matched' | 'findings' | 'factsDigest' | 'facts'>): void {
    if (!meta) return;
    this.files.set(absPath, {
      size: bytes.length,
      mtimeMs: meta.mtimeMs,
      ctimeMs: meta.ctimeMs,
      checkedAt: Date.now(),
      hash: hashBytes(bytes),
      ...verdict,
    });
  }

  forget(absPath: string): void {
    this.files.delete(absPath);
  }

  /**
   * Writes the cache atomically (a crash mid-write leaves the old one). Entries of files this run did not visit
   * are kept: a pre-commit run on ten files must not forget the other 50,000.
   */
  save(): void {
    const body = JSON.stringify(Object.fromEntries(this.files));
    const header: CacheHeader = { format: FORMAT, signature: this.signature, mac: mac(this.key, this.signature, body) };
    fs.mkdirSync(path.dirname(this.location), { recursive: true });
    writeFileAtomic(this.location, `${JSON.stringify(header)}\n${body}`);
  }
}
