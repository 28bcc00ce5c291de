import type { RuleMeta, ScanResult } from '../types.js';

export interface FormatContext {
  /** Every rule that ran (SARIF lists them all, even without results). */
  rules: RuleMeta[];
  toolVersion: string;
  /** Base URL of rule docs in the repository (`<base>/rules/<id>.md`). */
  docsBaseUrl: string;
  color: boolean;
  /**
   * --dry-run: the report carries the changes --fix would make (JSON `diffs`, SARIF `fixes`), so that a machine
   * format's output stays one parseable document.
   */
  dryRun?: boolean;
}

export type Formatter = (result: ScanResult, context: FormatContext) => string;
