import { FormatRegistry, type TObject } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { WS_ERROR_CODES, WS_VERSION } from '../contract/ws-common.ts';
import type { FieldIssue } from '../shared/errors.ts';

/** Why an incoming message was refused, ready to become an `error` reply. */
export interface WsProblem {
  code: string;
  fr: string;
  en: string;
  /** The message's type, when it could be read. */
  for: string | null;
  requestId: string | null;
  fields?: FieldIssue[];
}

export type Decoded<T> = { ok: true; message: T } | { ok: false; problem: WsProblem };

type Schemas = Record<string, TObject>;

// RFC 3339 §5.6 date-time, as the contract's `format: 'date-time'` means it.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
// TypeBox's compiler refuses a format it does not know; Fastify's Ajv knows
// this one, so the compiler must agree with it.
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));

function compileAll(schemas: Schemas): Map<string, TypeCheck<TObject>> {
  return new Map(Object.entries(schemas).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]));
}

function byteLength(data: Buffer | ArrayBuffer | Buffer[]): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.byteLength, 0);
  return data.byteLength;
}

function toText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

const problem = (code: string, fr: string, en: string, extra: Partial<WsProblem> = {}): WsProblem => ({ code, fr, en, for: null, requestId: null, ...extra });

/**
 * Reads one frame: text, within the size limit, JSON, an object, version 1,
 * a known type, and valid for that type's schema. Never throws: every
 * refusal is a WsProblem the connection answers with, and carries on.
 */
export function createDecoder<T>(schemas: Schemas, maxBytes: number): (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => Decoded<T> {
  const checks = compileAll(schemas);
  return (data, isBinary) => {
    if (isBinary) return { ok: false, problem: problem(WS_ERROR_CODES.binary, 'Messages texte (JSON) uniquement.', 'Text (JSON) messages only.') };
    const size = byteLength(data);
    if (size > maxBytes) {
      return { ok: false, problem: problem(WS_ERROR_CODES.tooLarge, `Message trop long (${maxBytes} octets au plus).`, `Message too large (at most ${maxBytes} bytes).`) };
    }
    let value: unknown;
    try {
      value = JSON.parse(toText(data));
    } catch {
      return { ok: false, problem: problem(WS_ERROR_CODES.notJson, "Ce message n'est pas du JSON.", 'This message is not JSON.') };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, problem: problem(WS_ERROR_CODES.invalid, 'Un message est un objet JSON.', 'A message is a JSON object.') };
    }
    return checkMessage<T>(checks, value as Record<string, unknown>);
  };
}

function checkMessage<T>(checks: Map<string, TypeCheck<TObject>>, value: Record<string, unknown>): Decoded<T> {
  const type = typeof value.type === 'string' ? value.type.slice(0, 64) : null;
  const requestId = typeof value.requestId === 'string' && value.requestId.length <= 64 ? value.requestId : null;
  const extra = { for: type, requestId };
  if (value.v !== WS_VERSION) {
    return { ok: false, problem: problem(WS_ERROR_CODES.version, `Version de protocole non prise en charge (v: ${WS_VERSION} attendu).`, `Unsupported protocol version (expected v: ${WS_VERSION}).`, extra) };
  }
  const check = type === null ? undefined : checks.get(type);
  if (check === undefined) {
    const known = [...checks.keys()].join(', ');
    return { ok: false, problem: problem(WS_ERROR_CODES.unknownType, `Type de message inconnu (${known}).`, `Unknown message type (${known}).`, extra) };
  }
  if (!check.Check(value)) {
    const fields = [...check.Errors(value)].slice(0, 5).map((e) => ({ field: e.path.replace(/^\//, '').replaceAll('/', '.') || '(message)', fr: e.message, en: e.message }));
    return { ok: false, problem: problem(WS_ERROR_CODES.invalid, `Message « ${type} » invalide.`, `Invalid "${type}" message.`, { ...extra, fields }) };
  }
  return { ok: true, message: value as T };
}

/**
 * Serialises an outgoing message after checking it against its schema: what
 * leaves the box is what the contract says. A mismatch is a bug here, so it
 * throws for the caller to log rather than sending something the agent
 * would refuse.
 */
export function createEncoder<T extends { type: string }>(schemas: Schemas): (message: T) => string {
  const checks = compileAll(schemas);
  return (message) => {
    const check = checks.get(message.type);
    if (check === undefined || !check.Check(message)) {
      const first = check === undefined ? 'unknown type' : [...check.Errors(message)].slice(0, 3).map((e) => `${e.path} ${e.message}`).join('; ');
      throw new Error(`outgoing ${message.type} message does not match its schema: ${first}`);
    }
    return JSON.stringify(message);
  };
}
