/**
 * A V8 code cache for the JavaScript slicefix loads at run time, so that a run does not compile the TypeScript
 * compiler (9 MB) from source again: compiling typescript.js was ~150 ms of a 1,000-file scan, and a code cache
 * turns most of it into a read.
 *
 * - Node ≥ 22.1 has this built in (`module.enableCompileCache`, which also covers ES modules): it is used, with the
 *   directory below.
 * - Node 20: CommonJS modules only (an ES module's compilation cannot be cached there), and only big ones (see
 *   MIN_SOURCE_CHARS). `require` compiles a CommonJS module in `Module.prototype._compile`; the hook below
 *   compiles it with `vm.Script` and V8's `cachedData` instead, and keeps what V8 produced for the next run.
 *
 * On Node 20 a module compiled from cached data cannot `import()`: the dynamic-import callback is lost (Node's
 * `USE_MAIN_CONTEXT_DEFAULT_LOADER` works only without cached data, and warns), so `import()` would throw
 * ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING. A module is therefore cached only after es-module-lexer found no `import()`
 * in it; one that has one is compiled by Node, and its entry records that so later runs do not lex it again.
 *
 * The cache must never break a run: a missing, unreadable, stale or corrupt entry, an unwritable or foreign
 * directory, all mean "compile as usual". Entries are validated before V8 sees them (the source file's size,
 * times and inode — V8 itself checks only the source's length — and a checksum of the cached data, which release
 * builds of V8 do not verify), written only when missing or rejected (a warm run writes nothing), and written to
 * a temporary file then renamed, so two concurrent runs (two pre-commit hooks) never see a half-written entry.
 *
 * `SLICEFIX_NO_COMPILE_CACHE=1` (or Node's own `NODE_DISABLE_COMPILE_CACHE=1`) turns it off.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

export interface CompileCacheStats {
  /** `node`: Node's own compile cache; `slicefix`: the hook below; `off`: disabled or unavailable. */
  mode: 'node' | 'slicefix' | 'off';
  /** Why it is off, when it is. */
  reason?: string;
  directory?: string;
  /** Modules compiled from a valid entry, and without one (missing, stale, corrupt or rejected: written at exit). */
  hits: number;
  misses: number;
  /** Modules left to Node because they use `import()`. */
  uncacheable: number;
}

const stats: CompileCacheStats = { mode: 'off', reason: 'not enabled', hits: 0, misses: 0, uncacheable: 0 };

/** What this process's compile cache did so far (for `--stats` and the tests). */
export function compileCacheStats(): CompileCacheStats {
  return { ...stats };
}

/**
 * Modules smaller than this are compiled as usual. V8 compiles lazily, so a small module's compile is cheap: caching
 * every module of yaml (~70, 1-30 KB) made no measurable difference; what counts is a few big files.
 */
const MIN_SOURCE_CHARS = 64 * 1024;
const FORMAT = 1;

/**
 * Turns the compile cache on for the rest of this process. Call it before loading anything worth caching. It never
 * throws, and on Node 20 touches no file until a big CommonJS module is compiled.
 */
export function enableCompileCache(env: NodeJS.ProcessEnv, version: string): CompileCacheStats {
  try {
    if (isSet(env.SLICEFIX_NO_COMPILE_CACHE) || isSet(env.NODE_DISABLE_COMPILE_CACHE)) return off('disabled by the environment');
    if (stats.mode !== 'off') return compileCacheStats();
    const root = path.join(os.tmpdir(), `slicefix-compile-cache-${userId()}`);
    const directory = path.join(root, `${process.version}-${process.arch}-slicefix-${version}`);
    const builtIn = (Module as unknown as { enableCompileCache?: (dir: string) => { status: number; directory?: string } }).enableCompileCache;
    if (builtIn) {
      if (!ownDirectory(root)) return off(`${root} is not a private directory of this user`);
      const result = builtIn(directory);
      const { ENABLED, ALREADY_ENABLED, DISABLED } = (Module as unknown as { constants: { compileCacheStatus: Record<string, number> } })
        .constants.compileCacheStatus;
      if (result.status === DISABLED) return off('disabled by the environment');
      // ALREADY_ENABLED: by NODE_COMPILE_CACHE, in the directory it names.
      if (result.status !== ENABLED && result.status !== ALREADY_ENABLED) return off('Node could not enable its compile cache');
      Object.assign(stats, { mode: 'node', reason: undefined, directory: result.directory ?? directory });
      return compileCacheStats();
    }
    // A debugger, or source maps: Node's own compile step does more for these; leave it alone.
    if (process.sourceMapsEnabled || process.execArgv.some((arg) => /^--(inspect|debug)/.test(arg))) return off('debugging or source maps');
    installHook(new EntryStore(root, directory));
    Object.assign(stats, { mode: 'slicefix', reason: undefined, directory });
  } catch {
    return off('could not be enabled');
  }
  return compileCacheStats();
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function off(reason: string): CompileCacheStats {
  Object.assign(stats, { mode: 'off', reason });
  return compileCacheStats();
}

function userId(): string {
  return typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
}

/**
 * Creates `dir` private to this user, or checks that it is: code from a cache directory another user could write
 * to would run as this user. A directory that is a symbolic link, someone else's, or writable by others is refused.
 */
function ownDirectory(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    if (!stat.isDirectory()) return false;
    if (process.platform === 'win32') return true;
    return (typeof process.getuid !== 'function' || stat.uid === process.getuid()) && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** What an entry records about its source file: an entry is used only while all of it still holds. */
interface SourceIdentity {
  file: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  dev: number;
}

interface EntryHeader extends SourceIdentity {
  format: number;
  /** False: the module uses `import()`, and is left to Node (no data follows). */
  cacheable: boolean;
  dataLength: number;
  dataSha1: string;
}

type Found = { cacheable: true; data: Buffer } | { cacheable: false };

interface Pending {
  entry: string;
  source: SourceIdentity;
  /** The compiled module whose cached data to write; none for a module that is not cacheable. */
  script?: vm.Script;
}

/** One file per module: `<directory>/<sha1 of its path>.cache`, a JSON header line, then V8's cached data. */
class EntryStore {
  private readonly pending: Pending[] = [];
  private directoryChecked: boolean | undefined;

  constructor(
    private readonly root: string,
    private readonly directory: string,
  ) {}

  entryFor(file: string): string {
    return path.join(this.directory, `${sha1(file).slice(0, 24)}.cache`);
  }

  private usable(): boolean {
    this.directoryChecked ??= ownDirectory(this.root);
    return this.directoryChecked;
  }

  /** What a valid entry for `source` says, if there is one. */
  read(entry: string, source: SourceIdentity): Found | undefined {
    if (!this.usable()) return undefined;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(entry);
    } catch {
      return undefined;
    }
    const newline = bytes.indexOf(10);
    if (newline < 0 || newline > 8192) return undefined;
    let header: EntryHeader | null;
    try {
      header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as EntryHeader | null;
    } catch {
      return undefined;
    }
    if (typeof header !== 'object' || header === null || header.format !== FORMAT || !sameSource(header, source)) return undefined;
    const data = bytes.subarray(newline + 1);
    if (data.length !== header.dataLength || sha1(data) !== header.dataSha1) return undefined;
    return header.cacheable === true ? { cacheable: true, data } : { cacheable: false };
  }

  /** Writes an entry at exit: by then V8 has also compiled the functions this run called, and caches them too. */
  later(pending: Pending): void {
    if (this.pending.length === 0) process.once('exit', () => this.flush());
    this.pending.push(pending);
  }

  private flush(): void {
    if (!this.usable()) return;
    try {
      fs.mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    } catch {
      return;
    }
    for (const { entry, source, script } of this.pending) {
      const temp = `${entry}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
      let fd: number | undefined;
      try {
        fd = fs.openSync(temp, 'wx', 0o600);
        const data = script ? script.createCachedData() : Buffer.alloc(0);
        const header: EntryHeader = { format: FORMAT, ...source, cacheable: script !== undefined, dataLength: data.length, dataSha1: sha1(data) };
        fs.writeSync(fd, `${JSON.stringify(header)}\n`);
        fs.writeSync(fd, data);
        fs.closeSync(fd);
        fd = undefined;
        fs.renameSync(temp, entry);
      } catch {
        if (fd !== undefined) fs.closeSync(fd);
        fs.rmSync(temp, { force: true });
        // A full disk or a read-only directory: the next runs compile as usual.
        return;
      }
    }
  }
}

function sha1(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

function sameSource(a: SourceIdentity, b: SourceIdentity): boolean {
  return a.file === b.file && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.dev === b.dev;
}

/** Whether `source` may call `import()` (or use another import form that needs the host), by es-module-lexer. */
function mayImportDynamically(source: string): boolean {
  try {
    const lexer = createRequire(import.meta.url)('es-module-lexer') as typeof import('es-module-lexer');
    return lexer.parse(source)[0].some((found) => found.type !== 'static');
  } catch {
    return true;
  }
}

type Compile = (this: Module, content: string, filename: string, ...rest: unknown[]) => unknown;

interface InternalModule {
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: Module): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

/**
 * Replaces `Module.prototype._compile` for CommonJS modules of at least MIN_SOURCE_CHARS; anything else, and any
 * module the cache cannot handle, goes to Node's own.
 */
function installHook(store: EntryStore): void {
  const proto = Module.prototype as unknown as { _compile: Compile };
  const nodeCompile = proto._compile;
  proto._compile = function (this: Module, content: string, filename: string, ...rest: unknown[]): unknown {
    // rest[0] is Node's format: 'module' is an ES module loaded by require(), not ours to compile.
    if (content.length < MIN_SOURCE_CHARS || rest[0] === 'module' || content.startsWith('#!') || !path.isAbsolute(filename)) {
      return nodeCompile.call(this, content, filename, ...rest);
    }
    let script: vm.Script | undefined;
    try {
      script = compile(store, content, filename);
    } catch {
      // Not valid as CommonJS (an ES module in a .js file, which Node detects), or no stat: Node's compile decides.
    }
    if (!script) return nodeCompile.call(this, content, filename, ...rest);
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
  };
}

/** The module compiled with its cached data, or undefined when Node should compile it. */
function compile(store: EntryStore, content: string, filename: string): vm.Script | undefined {
  const stat = fs.statSync(filename);
  const source: SourceIdentity = { file: filename, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, dev: stat.dev };
  const entry = store.entryFor(filename);
  const found = store.read(entry, source);
  if (found?.cacheable === false) {
    stats.uncacheable++;
    return undefined;
  }
  if (!found && mayImportDynamically(content)) {
    stats.uncacheable++;
    store.later({ entry, source });
    return undefined;
  }
  const script = new vm.Script(Module.wrap(content), { filename, cachedData: found?.data });
  if (found && !script.cachedDataRejected) {
    stats.hits++;
  } else {
    stats.misses++;
    store.later({ entry, source, script });
  }
  return script;
}

/** The `require` a CommonJS module gets, as Node's own makes it (resolve, resolve.paths, main, extensions, cache). */
function makeRequire(module: Module): NodeJS.Require {
  const internal = Module as unknown as InternalModule;
  const require = ((id: string) => module.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => internal._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => internal._resolveLookupPaths(request, module);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = internal._extensions as NodeJS.Require['extensions'];
  require.cache = internal._cache as NodeJS.Require['cache'];
  return require;
}
