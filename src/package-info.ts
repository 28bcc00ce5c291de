/** slicefix's own package.json: its version and where its docs live (read once). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  version: string;
  docsBaseUrl: string;
}

let info: PackageInfo | undefined;

export function packageInfo(): PackageInfo {
  return (info ??= readPackageInfo());
}

function readPackageInfo(): PackageInfo {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/ when run from source (tests), dist/src/ when compiled.
  for (const candidate of [path.join(here, '..', 'package.json'), path.join(here, '..', '..', 'package.json')]) {
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { version: string; homepage?: string };
      return { version: pkg.version, docsBaseUrl: `${(pkg.homepage ?? '').replace(/#.*$/, '')}/blob/main` };
    }
  }
  return { version: '0.0.0', docsBaseUrl: '' };
}
