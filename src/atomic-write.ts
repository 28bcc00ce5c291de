/**
 * A file is never left half-written: the new content goes to a temporary file in the same directory (same
 * file system, so rename is atomic), takes the original's mode, owner and group, and replaces the original by
 * rename. A symbolic link is written through: the file it points to is replaced and the link stays a link.
 *
 * Temporary files are named `.NAME.slicefix-PID-RAND.tmp`. None is left behind by Ctrl-C or `kill`: on SIGINT or
 * SIGTERM (see finishWritesOnSignals) the writes under way, in any thread, are finished and no new one starts
 * before the process exits. One left by `kill -9` or a power cut is removed by a later run that writes in its
 * directory, once no live process has its PID.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { getEnvironmentData, isMainThread, setEnvironmentData } from 'node:worker_threads';

/** The longest file name most file systems take (NAME_MAX), in bytes. */
const NAME_MAX = 255;
const TEMP_SUFFIX = /^\.(.+)\.slicefix-(\d+)-([0-9a-z]{1,16})\.tmp$/;

/**
 * Shared by every thread of the process (worker threads get it from the main thread's environment data): slot 0 is
 * 1 once the process is stopping, slot 1 counts the writes under way.
 */
const GATE_KEY = 'slicefix.atomic-write.gate';
const gate = new Int32Array(((isMainThread ? undefined : getEnvironmentData(GATE_KEY)) as SharedArrayBuffer | undefined) ?? new SharedArrayBuffer(8));
if (isMainThread) setEnvironmentData(GATE_KEY, gate.buffer as SharedArrayBuffer);
const STOPPING = 0;
const IN_FLIGHT = 1;

export class WritesStoppedError extends Error {
  constructor() {
    super('slicefix is stopping (interrupted); not written');
  }
}

/** `.NAME.slicefix-PID-RAND.tmp`, with NAME cut (at a character boundary) so that the whole fits NAME_MAX bytes. */
export function tempNameFor(base: string): string {
  const suffix = `.slicefix-${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  const room = NAME_MAX - 1 - suffix.length;
  let name = base;
  while (Buffer.byteLength(name) > room) name = name.slice(0, -1);
  // A cut may leave half a surrogate pair; drop it rather than write an invalid name.
  if (/[\uD800-\uDBFF]$/.test(name)) name = name.slice(0, -1);
  return `.${name}${suffix}`;
}

function isLive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, and belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const swept = new Set<string>();

/**
 * Removes the temporary files of slicefix runs that died without cleaning up (kill -9, power cut) from `dir`: only
 * regular files named exactly as tempNameFor names them, whose PID is no live process. Once per directory and run.
 */
export function removeStaleTemps(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = TEMP_SUFFIX.exec(name);
    if (!match || Number(match[2]) === process.pid || isLive(Number(match[2]))) continue;
    const file = path.join(dir, name);
    try {
      if (fs.lstatSync(file).isFile()) fs.rmSync(file);
    } catch {
      // Gone meanwhile, or not ours to remove: nothing to clean.
    }
  }
}

/** The file a write to `file` replaces: the target of a symbolic link, or `file` itself when it does not exist yet. */
function realTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !isSymbolicLink(file)) return file;
    throw error;
  }
}

function isSymbolicLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Replaces `file` (or, for a symbolic link, the file it points to) whole with `content`. An existing file keeps its
 * mode, owner and group; a new one gets `mode` (default 0644 less the umask).
 */
export function writeFileAtomic(file: string, content: Buffer | string, mode?: number): void {
  // Counted before the stop flag is read, so that a stopping main thread either sees this write or stops it.
  Atomics.add(gate, IN_FLIGHT, 1);
  try {
    if (Atomics.load(gate, STOPPING) === 1) throw new WritesStoppedError();
    replace(realTarget(file), content, mode);
  } finally {
    Atomics.sub(gate, IN_FLIGHT, 1);
    Atomics.notify(gate, IN_FLIGHT);
  }
}

function replace(target: string, content: Buffer | string, mode: number | undefined): void {
  const dir = path.dirname(target);
  removeStaleTemps(dir);
  const existing = fs.statSync(target, { throwIfNoEntry: false });
  const temp = path.join(dir, tempNameFor(path.basename(target)));
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', existing ? 0o600 : (mode ?? 0o666));
    fs.writeFileSync(fd, content);
    if (existing) {
      const made = fs.fstatSync(fd);
      // As root (or in a set-group-ID folder) the new file would belong to someone else than the old one. Owner
      // first: chown clears set-user-ID bits, which the mode then restores.
      if (made.uid !== existing.uid || made.gid !== existing.gid) keepOwner(fd, existing);
      fs.fchmodSync(fd, existing.mode & 0o7777);
    } else if (mode !== undefined) fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

function keepOwner(fd: number, existing: fs.Stats): void {
  try {
    fs.fchownSync(fd, existing.uid, existing.gid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    // Not root: a file of another owner or group (writable to us) would become ours by the rename.
    throw new Error(`it belongs to user ${existing.uid}, group ${existing.gid}, which a rewritten file could not keep`);
  }
}

/** Waits (up to `timeoutMs`) until no thread is writing a file, after stopping new writes. */
export function stopWrites(timeoutMs = 10_000): void {
  Atomics.store(gate, STOPPING, 1);
  const deadline = Date.now() + timeoutMs;
  for (let writing = Atomics.load(gate, IN_FLIGHT); writing > 0 && Date.now() < deadline; writing = Atomics.load(gate, IN_FLIGHT)) {
    Atomics.wait(gate, IN_FLIGHT, writing, 50);
  }
}

/**
 * On SIGINT or SIGTERM: let the writes under way finish (each is whole, and its temporary file renamed or
 * removed), start none, and exit with the shell's code for the signal (130, 143). Without this, Node's default is
 * to die at once, leaving the temporary file of a write in progress. For the command line only.
 */
export function finishWritesOnSignals(): void {
  const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const;
  for (const [signal, code] of Object.entries(exitCodes)) {
    process.on(signal, () => {
      stopWrites();
      process.exit(code);
    });
  }
}
