/** Empty results and statistics of a scan, for the engine and for a command line that has nothing to scan. */
import type { ScanResult, ScanStats } from './types.js';

export function emptyStats(): ScanStats {
  return { filesWalked: 0, filesRead: 0, filesMatched: 0, filesParsed: 0, parses: 0, filesHandedOff: 0, walkMs: 0, readMs: 0, checkMs: 0 };
}

export function emptyResult(): ScanResult {
  return { findings: [], errors: [], summary: { filesScanned: 0, filesSkipped: 0, findings: 0, fixable: 0, fixed: 0 }, diffs: [] };
}
