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
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { Finding, Settings } from './types.js';

export const DEFAULT_CACHE_FILE = '.slicefix-cache';
const FORMAT = 1;
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

interface CacheFile {
  format: number;
  signature: string;
  files: Record<string, CacheEntry>;
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
    private readonly files: Map<string, CacheEntry>,
  ) {}

  /** Loads the cache at `location`; a missing, unreadable or foreign cache starts empty. */
  static load(location: string, signature: string): FileCache {
    let files = new Map<string, CacheEntry>();
    try {
      const raw = JSON.parse(fs.readFileSync(location, 'utf8')) as CacheFile;
      if (raw.format === FORMAT && raw.signature === signature && raw.files && typeof raw.files === 'object') {
        files = new Map(Object.entries(raw.files));
      }
    } catch {
      // No cache yet, or one this version cannot read: start afresh.
    }
    return new FileCache(location, signature, files);
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
    const files = Object.fromEntries(this.files);
    fs.mkdirSync(path.dirname(this.location), { recursive: true });
    writeFileAtomic(this.location, JSON.stringify({ format: FORMAT, signature: this.signature, files } satisfies CacheFile));
  }
}
