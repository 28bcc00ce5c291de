/**
 * `--output FILE`: where the report goes, decided before the scan (so that a bad path is a usage error before
 * `--fix` writes anything), and how it is written there. A regular file (or a new one) is replaced atomically;
 * anything else (a device such as /dev/null, a FIFO, /dev/stdout) is written in place: renaming a file over it
 * would replace the device or pipe itself, which as root breaks the machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

export class ReportOutputError extends Error {}

export type ReportOutput =
  | { kind: 'replace'; path: string }
  | { kind: 'in-place'; path: string }
  | { kind: 'stdout' | 'stderr' };

/**
 * Whether `stat` is the process's standard output or error (/dev/stdout, or the file or pipe it goes to): that is
 * written through the stream, as the shell set it up (a socket cannot be opened again by name, and a file the shell
 * appends to must not be truncated).
 */
function ownStream(stat: fs.Stats): 'stdout' | 'stderr' | undefined {
  for (const [fd, stream] of [[1, 'stdout'], [2, 'stderr']] as const) {
    try {
      const own = fs.fstatSync(fd);
      if (own.dev === stat.dev && own.ino === stat.ino) return stream;
    } catch {
      // Closed: it is no stream to write to.
    }
  }
  return undefined;
}

export function resolveReportOutput(cwd: string, given: string): ReportOutput {
  const file = path.resolve(cwd, given);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new ReportOutputError(`--output ${given}: ${code === 'ENOTDIR' ? 'a part of the path is not a folder' : (error as Error).message}`);
  }
  if (stat?.isDirectory() || (!stat && /[\\/]$/.test(given))) throw new ReportOutputError(`--output ${given} is a folder; give a file name`);
  if (!stat) {
    if (fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) throw new ReportOutputError(`--output ${given} is a symbolic link to nothing`);
    const parent = path.dirname(file);
    if (!fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) throw new ReportOutputError(`--output ${given}: folder ${parent} does not exist`);
    return { kind: 'replace', path: file };
  }
  const stream = ownStream(stat);
  if (stream) return { kind: stream };
  return stat.isFile() ? { kind: 'replace', path: file } : { kind: 'in-place', path: file };
}

export function writeReport(output: ReportOutput, report: string, streams: { stdout: (text: string) => void; stderr: (text: string) => void }): void {
  switch (output.kind) {
    case 'stdout':
    case 'stderr':
      streams[output.kind](report);
      return;
    case 'replace':
      writeFileAtomic(output.path, report);
      return;
    case 'in-place': {
      // Opened for writing only: neither created nor truncated (a device or FIFO has nothing to truncate).
      const fd = fs.openSync(output.path, fs.constants.O_WRONLY);
      try {
        fs.writeFileSync(fd, report);
      } finally {
        fs.closeSync(fd);
      }
    }
  }
}
