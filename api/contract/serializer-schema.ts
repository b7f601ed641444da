import type { TSchema } from '@sinclair/typebox';

type Node = Record<string, unknown>;

const isNull = (n: Node | undefined) => n !== undefined && n.type === 'null' && Object.keys(n).length === 1;
const COMBINATORS = ['anyOf', 'oneOf', 'allOf', 'not', 'if', 'const', '$ref'];
const plain = (n: Node) => !COMBINATORS.some((k) => k in n);

/** The other option of `anyOf: [x, null]` (either order). */
function nullableOption(anyOf: unknown): Node | undefined {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return undefined;
  const [a, b] = anyOf as Node[];
  return isNull(b) ? a : isNull(a) ? b : undefined;
}

/** The values of `anyOf` string literals (TypeBox's Literal is `{ const, type: 'string' }`). */
function stringLiterals(anyOf: unknown): string[] | undefined {
  if (!Array.isArray(anyOf) || anyOf.length === 0) return undefined;
  const values: string[] = [];
  for (const option of anyOf as Node[]) {
    if (typeof option.const !== 'string' || option.type !== 'string' || Object.keys(option).length !== 2) return undefined;
    values.push(option.const);
  }
  return values;
}

/** `anyOf: [x, null]` as a type list, when x is a scalar (an enum of strings included) or an object. */
function nullableAsTypeList(rest: Node, value: Node): Node | undefined {
  if (typeof value.type !== 'string' || value.type === 'array' || value.type === 'null' || !plain(value)) return undefined;
  const enumWithNull = Array.isArray(value.enum) ? { enum: [...(value.enum as unknown[]), null] } : {};
  return { ...rest, ...value, type: [value.type, 'null'], ...enumWithNull };
}

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  // Object.entries drops TypeBox's symbol keys: the result is plain JSON Schema.
  const out: Node = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, convert(v)]));
  if (out.anyOf === undefined) return out;
  const { anyOf, ...rest } = out;
  const literals = stringLiterals(anyOf);
  if (literals !== undefined) return { ...rest, type: 'string', enum: literals };
  const value = nullableOption(anyOf);
  return (value !== undefined && nullableAsTypeList(rest, value)) || out;
}

/**
 * A response schema as a route hands it to Fastify's serializer, with the
 * unions it would otherwise check value by value written out plainly:
 * - `anyOf: [x, null]` as `type: [x, 'null']` for a scalar or an object;
 * - a union of string literals as `type: 'string', enum: [...]` (with null
 *   added to the enum when it is nullable).
 * Both forms accept the same values, and the OpenAPI document says the same
 * to a client (`nullable: true`; an enum of the same strings). But the
 * serializer (fast-json-stringify) writes a type list directly, while for an
 * `anyOf` it runs a schema check of every option until one matches, on every
 * field of every row: a session's status and end reason, a station's state,
 * its running session (an object check with its date-time formats), a
 * visitor's consent status. The TypeBox schemas themselves stay as they are:
 * the realtime codec compiles them with TypeBox, which has no kind for a
 * type list.
 */
export function forSerializer<T extends TSchema>(schema: T): T {
  return convert(schema) as T;
}
