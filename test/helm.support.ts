/**
 * The real `helm`, for tests that prove Helm template fixes by rendering (installed, pinned, by
 * scripts/install-helm.sh, which .ci/run calls). Tests are skipped, saying why, when it is absent.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { objectsOf } from './endpoints-manifest.support.js';

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** helm on PATH, else where `go install` puts it. */
export function findHelm(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, 'helm'))) return path.join(dir, 'helm');
  }
  for (const go of ['go', '/usr/local/go/bin/go']) {
    try {
      const gopath = execFileSync(go, ['env', 'GOPATH'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      const helm = path.join(gopath.split(path.delimiter)[0], 'bin', 'helm');
      if (gopath && executable(helm)) return helm;
    } catch {
      // no go here either
    }
  }
  return undefined;
}

/** `helm template` of a chart directory (with values files): its objects; throws with helm's error. */
export function renderChart(helm: string, chart: string, valuesFiles: string[] = []): Record<string, any>[] {
  const text = execFileSync(helm, ['template', 'rel', chart, '--namespace', 'backends', ...valuesFiles.flatMap((f) => ['-f', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HELM_CACHE_HOME: path.join(chart, '..', '.helm-cache'), HELM_CONFIG_HOME: path.join(chart, '..', '.helm-config') },
  });
  return objectsOf(text);
}
