import { readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { parseDayRanges, WEEKDAYS } from '../../api/sessions/opening-hours.ts';
import { isValidTimeZone } from '../../api/shared/zoned-time.ts';
import { ConfigSchema, type AppConfig } from './config-schema.ts';

/** A configuration the appliance must not start with; the message is one line. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  /** Parsed file content, if a file was given. */
  file?: unknown;
  fileName?: string;
  env?: Record<string, string | undefined>;
}

interface Leaf {
  path: string[];
  envName: string;
  schema: TSchema;
}

const ENV_PREFIX = 'EPNBOX_';
/** Variables that steer loading rather than set a key. */
const RESERVED_ENV = new Set(['EPNBOX_CONFIG']);

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Every settable key with its environment variable name, e.g. sessions.dailyQuota -> EPNBOX_SESSIONS_DAILY_QUOTA. */
export function configLeaves(schema: TSchema = ConfigSchema, path: string[] = []): Leaf[] {
  if (schema.type === 'object' && schema.properties) {
    return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([k, s]) => configLeaves(s, [...path, k]));
  }
  return [{ path, envName: ENV_PREFIX + path.map(snake).join('_'), schema }];
}

function coerce(raw: string, schema: TSchema): unknown {
  if ((schema.type === 'integer' || schema.type === 'number') && /^-?\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
  if (schema.type === 'boolean') {
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
  }
  return raw;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function describeExpected(schema: TSchema | undefined, fallback: string): string {
  if (!schema) return fallback;
  if (schema.anyOf) return `one of ${(schema.anyOf as TSchema[]).map((s) => JSON.stringify(s.const)).join(', ')}`;
  if (schema.type === 'integer') return `an integer from ${schema.minimum} to ${schema.maximum}`;
  if (schema.type === 'boolean') return 'true or false';
  if (schema.type === 'string') return schema.minLength ? 'a non-empty string' : 'a string';
  return fallback;
}

/**
 * Merges defaults <- file <- environment, then validates. Throws ConfigError
 * naming the key, the value, where it came from and what was expected.
 */
export function resolveConfig(sources: ConfigSources): AppConfig {
  const env = sources.env ?? {};
  const merged: Record<string, unknown> = structuredClone((sources.file ?? {}) as Record<string, unknown>);
  if (typeof sources.file !== 'undefined' && (typeof sources.file !== 'object' || sources.file === null || Array.isArray(sources.file))) {
    throw new ConfigError(`config: ${sources.fileName ?? 'file'} must hold a JSON object`);
  }
  const leaves = configLeaves();
  const origin = new Map<string, string>();
  for (const leaf of leaves) {
    const raw = env[leaf.envName];
    if (raw === undefined) continue;
    setPath(merged, leaf.path, coerce(raw, leaf.schema));
    origin.set(leaf.path.join('.'), leaf.envName);
  }
  const known = new Set(leaves.map((l) => l.envName));
  const stray = Object.keys(env).find((k) => k.startsWith(ENV_PREFIX) && !known.has(k) && !RESERVED_ENV.has(k));
  if (stray) throw new ConfigError(`config: unknown environment variable ${stray}; see docs/configuration.md for the list`);

  const withDefaults = Value.Default(ConfigSchema, merged) as Record<string, unknown>;
  const first = Value.Errors(ConfigSchema, withDefaults).First();
  if (first) {
    const key = first.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    const where = origin.get(key) ?? sources.fileName ?? 'defaults';
    if (first.type === ValueErrorType.ObjectAdditionalProperties) throw new ConfigError(`config: unknown key ${key} in ${where}`);
    const leaf = leaves.find((l) => l.path.join('.') === key);
    throw new ConfigError(
      `config: invalid value for ${key} (from ${where}): ${JSON.stringify(first.value)}; expected ${describeExpected(leaf?.schema, first.message)}`,
    );
  }
  const config = withDefaults as AppConfig;
  if (!isValidTimeZone(config.timeZone)) {
    throw new ConfigError(`config: invalid value for timeZone (from ${origin.get('timeZone') ?? sources.fileName ?? 'defaults'}): ${JSON.stringify(config.timeZone)}; expected an IANA time zone such as "Indian/Reunion"`);
  }
  if (!isValidLocale(config.locale)) {
    throw new ConfigError(`config: invalid value for locale (from ${origin.get('locale') ?? sources.fileName ?? 'defaults'}): ${JSON.stringify(config.locale)}; expected a BCP 47 locale such as "fr-FR"`);
  }
  for (const d of WEEKDAYS) {
    const value = config.openingHours[d];
    if (parseDayRanges(value) === null) {
      const key = `openingHours.${d}`;
      throw new ConfigError(
        `config: invalid value for ${key} (from ${origin.get(key) ?? sources.fileName ?? 'defaults'}): ${JSON.stringify(value)}; expected "HH:MM-HH:MM" ranges in order, comma separated, such as "08:30-12:00,13:30-18:00" (empty: closed)`,
      );
    }
  }
  return config;
}

function isValidLocale(locale: string): boolean {
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}

/** Reads the file named by EPNBOX_CONFIG (if any) and resolves the configuration. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const fileName = env.EPNBOX_CONFIG;
  if (fileName === undefined || fileName === '') return resolveConfig({ env });
  let text: string;
  try {
    text = readFileSync(fileName, 'utf8');
  } catch (error) {
    throw new ConfigError(`config: cannot read ${fileName}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config: ${fileName} is not valid JSON: ${(error as Error).message}`);
  }
  return resolveConfig({ file, fileName, env });
}
