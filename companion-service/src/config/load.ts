import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { ConfigSchema, type Config } from './schema';
import { ENV_OVERRIDES, type EnvKind } from './env';
import { consistencyProblem } from './consistency';
import { publishedSecretProblem } from './publishedSecrets';
import { renamedSettingProblem } from './renamedSettings';
import { storeEnvProblem, storeSettingProblem } from './storeSetting';
import { configDir } from '../paths';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A block naming another `kind` (the store: sqlite or postgres) replaces the one below instead of merging into it:
 * the settings of one kind mean nothing to the other. */
function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    const sameKind = isObject(current) && isObject(value) && (value.kind === undefined || value.kind === current.kind);
    out[key] = sameKind ? deepMerge(current as Json, value as Json) : value;
  }
  return out;
}

function setPath(target: Json, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1] as string] = value;
}

function parseEnvValue(variable: string, raw: string, kind: EnvKind): unknown {
  switch (kind) {
    case 'string':
    case 'databaseUrl':
      return raw;
    case 'integer': {
      if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${variable} must be a whole number, got "${raw}"`);
      return Number(raw);
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(`${variable} must be true or false, got "${raw}"`);
    }
    case 'proxy': {
      // "1" is a hop count here, not true: the words are the only booleans.
      const v = raw.trim().toLowerCase();
      if (v === 'true' || v === 'false') return v === 'true';
      if (/^\d+$/.test(v)) return Number(v);
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'json':
      try {
        return JSON.parse(raw);
      } catch {
        throw new ConfigError(`${variable} must be JSON`);
      }
  }
}

function readJson(file: string): Json {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isObject(parsed)) throw new Error('not an object');
    return parsed;
  } catch (err) {
    throw new ConfigError(`cannot read configuration file ${file}: ${(err as Error).message}`);
  }
}

/** Explains the first schema violation by the setting's dotted name, e.g. "session.codeLength". */
function describeFirstError(candidate: unknown): string | undefined {
  const first = Value.Errors(ConfigSchema, candidate).First();
  if (!first) return undefined;
  const setting = first.path.replace(/^\//, '').replace(/\//g, '.') || '(root)';
  const env = ENV_OVERRIDES.find((o) => o.setting === setting);
  return `invalid setting "${setting}"${env ? ` (environment variable ${env.variable})` : ''}: ${first.message}`;
}

export interface LoadOptions {
  /** Profile file in config/ merged over default.json, e.g. "production". From TANDEM_CONFIG when omitted. */
  profile?: string;
  env?: NodeJS.ProcessEnv;
  /** Applied last; used by tests to start instances with their own settings. */
  overrides?: DeepPartial<Config>;
}

export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};

/** Defaults from config/default.json, then the profile file, then environment variables, then overrides; validated:
 * the store block (config/storeSetting.ts), the schema, then links between settings (config/consistency.ts), then
 * published secrets (config/publishedSecrets.ts). */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  let merged = readJson(path.join(configDir, 'default.json'));
  const profile = options.profile ?? env.TANDEM_CONFIG;
  if (profile) {
    if (!/^[a-z0-9-]+$/.test(profile))
      throw new ConfigError(`TANDEM_CONFIG must name a file in config/, got "${profile}"`);
    const file = path.join(configDir, `${profile}.json`);
    if (!existsSync(file)) throw new ConfigError(`TANDEM_CONFIG names ${file}, which does not exist`);
    merged = deepMerge(merged, readJson(file));
  }
  const storeProblem = storeEnvProblem(env);
  if (storeProblem) throw new ConfigError(storeProblem);
  for (const { variable, setting, kind } of ENV_OVERRIDES) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const value = parseEnvValue(variable, raw, kind);
    // A database URL selects PostgreSQL; a PostgreSQL store from the files keeps its other settings.
    if (kind === 'databaseUrl') merged = deepMerge(merged, { store: { kind: 'postgres', url: value } });
    else setPath(merged, setting, value);
  }
  if (options.overrides) merged = deepMerge(merged, options.overrides as Json);
  // Unset, the public address follows the port, so `PORT=9000 npm start` hands out links that work.
  if (merged.publicUrl === undefined || merged.publicUrl === '')
    merged.publicUrl = `http://localhost:${String(merged.port)}`;
  const problem = renamedSettingProblem(merged) ?? storeSettingProblem(merged) ?? describeFirstError(merged);
  if (problem) throw new ConfigError(problem);
  const config = merged as Config;
  const inconsistency = consistencyProblem(config) ?? publishedSecretProblem(config);
  if (inconsistency) throw new ConfigError(inconsistency);
  return config;
}
