/**
 * A file is never left half-written: the new content goes to a temporary file in the same directory (same
 * file system, so rename is atomic), keeps the original's mode, and replaces the original by rename.
 */
import fs from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(file: string, content: Buffer | string, mode?: number): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.slicefix-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', mode ?? 0o644);
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    if (mode !== undefined) fs.chmodSync(temp, mode);
    fs.renameSync(temp, file);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
