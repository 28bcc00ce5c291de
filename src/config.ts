/**
 * `.slicefix.yaml`: rule severities, ignore globs and codemod options. A bad file is a usage error (exit 2)
 * naming the file, the key and the reason: a silently ignored typo in a CI config is worse than a red build.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GlobError, gitignorePatterns } from './ignore-globs.js';
import { MAX_ENDPOINTS_PER_SLICE } from './k8s/validate-slice.js';
import { importYaml } from './languages/yaml-import.js';
import type { RuleSetting, Settings } from './types.js';

export interface Config {
  /** Where the config came from (undefined: defaults only). */
  file?: string;
  rules: Record<string, RuleSetting>;
  ignore: string[];
  /** Skip node_modules/, vendor/, third_party/ (true by default). */
  skipDependencyDirs: boolean;
  /** Files larger than this are skipped. */
  maxFileBytes: number;
  settings: Settings;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${file}: ${key}: ${reason}`);
  }
}

export const CONFIG_FILE_NAME = '.slicefix.yaml';
export const DEPENDENCY_DIRS = ['node_modules', 'vendor', 'third_party'];
/** The mirroring controller's own value: slices carrying it would be fought over by that controller. */
const RESERVED_MANAGERS = ['endpointslicemirroring-controller.k8s.io', 'endpointslice-controller.k8s.io'];

export function defaultConfig(): Config {
  return {
    rules: {},
    ignore: [],
    skipDependencyDirs: true,
    maxFileBytes: 5 * 1024 * 1024,
    settings: { managedBy: 'slicefix', maxEndpointsPerSlice: 100 },
  };
}

/** The nearest `.slicefix.yaml` from `start` upwards. */
export function findConfigFile(start: string): string | undefined {
  let dir = path.resolve(start);
  try {
    if (!fs.statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const KNOWN_KEYS = ['rules', 'ignore', 'managedBy', 'maxEndpointsPerSlice', 'skipDependencyDirs', 'maxFileBytes'];
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Reads and validates a config file; `knownRules` lets a misspelt rule id fail loudly. */
export async function loadConfig(file: string, knownRules: readonly string[]): Promise<Config> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, '(file)', `cannot be read: ${(error as Error).message}`);
  }
  let raw: unknown;
  // Imported here: most runs have no config file, and the YAML parser is loaded only when a file needs it.
  const { parse: parseYaml } = await importYaml();
  try {
    raw = parseYaml(text, { prettyErrors: false }) ?? {};
  } catch (error) {
    throw new ConfigError(file, '(file)', `is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return validateConfig(raw, file, knownRules);
}

export function validateConfig(raw: unknown, file: string, knownRules: readonly string[]): Config {
  const config = defaultConfig();
  config.file = file;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, '(file)', 'must be a mapping of keys to values');
  }
  const values = raw as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (!KNOWN_KEYS.includes(key)) {
      throw new ConfigError(file, key, `unknown key (known keys: ${KNOWN_KEYS.join(', ')})`);
    }
  }
  if (values.rules !== undefined) {
    if (typeof values.rules !== 'object' || values.rules === null || Array.isArray(values.rules)) {
      throw new ConfigError(file, 'rules', 'must be a mapping of rule id to off, warn or error');
    }
    for (const [id, setting] of Object.entries(values.rules as Record<string, unknown>)) {
      if (!knownRules.includes(id)) throw new ConfigError(file, `rules.${id}`, 'no such rule (see --list-rules)');
      if (setting === 'off') config.rules[id] = 'off';
      else if (setting === 'warn' || setting === 'warning') config.rules[id] = 'warning';
      else if (setting === 'error') config.rules[id] = 'error';
      else throw new ConfigError(file, `rules.${id}`, `must be off, warn or error, not ${JSON.stringify(setting)}`);
    }
  }
  if (values.ignore !== undefined) {
    if (!Array.isArray(values.ignore) || values.ignore.some((g) => typeof g !== 'string' || g === '')) {
      throw new ConfigError(file, 'ignore', 'must be a list of glob strings');
    }
    try {
      gitignorePatterns(values.ignore as string[]);
    } catch (error) {
      if (error instanceof GlobError) throw new ConfigError(file, 'ignore', error.message);
      throw error;
    }
    config.ignore = values.ignore as string[];
  }
  if (values.managedBy !== undefined) {
    const managedBy = values.managedBy;
    if (typeof managedBy !== 'string' || managedBy === '' || managedBy.length > 63 || !LABEL_VALUE.test(managedBy)) {
      throw new ConfigError(file, 'managedBy', 'must be a valid label value (1-63 characters: letters, digits, -_.)');
    }
    if (RESERVED_MANAGERS.includes(managedBy)) {
      throw new ConfigError(file, 'managedBy', `${managedBy} belongs to a Kubernetes controller, which would fight over the slices`);
    }
    config.settings.managedBy = managedBy;
  }
  if (values.maxEndpointsPerSlice !== undefined) {
    const max = values.maxEndpointsPerSlice;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_ENDPOINTS_PER_SLICE) {
      throw new ConfigError(file, 'maxEndpointsPerSlice', `must be a whole number from 1 to ${MAX_ENDPOINTS_PER_SLICE} (the API limit)`);
    }
    config.settings.maxEndpointsPerSlice = max;
  }
  if (values.skipDependencyDirs !== undefined) {
    if (typeof values.skipDependencyDirs !== 'boolean') throw new ConfigError(file, 'skipDependencyDirs', 'must be true or false');
    config.skipDependencyDirs = values.skipDependencyDirs;
  }
  if (values.maxFileBytes !== undefined) {
    const max = values.maxFileBytes;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) throw new ConfigError(file, 'maxFileBytes', 'must be a positive whole number');
    config.maxFileBytes = max;
  }
  return config;
}
