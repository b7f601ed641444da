import type { TSchema } from '@sinclair/typebox';

type Node = Record<string, unknown>;

function nullableScalar(anyOf: unknown): Node | undefined {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return undefined;
  const [a, b] = anyOf as Node[];
  const isNull = (n: Node | undefined) => n !== undefined && n.type === 'null' && Object.keys(n).length === 1;
  const value = isNull(b) ? a : isNull(a) ? b : undefined;
  if (value === undefined || typeof value.type !== 'string' || ['object', 'array', 'null'].includes(value.type)) return undefined;
  if (['anyOf', 'oneOf', 'allOf', 'enum', 'const', '$ref'].some((k) => k in value)) return undefined;
  return value;
}

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  // Object.entries drops TypeBox's symbol keys: the result is plain JSON Schema.
  const out: Node = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, convert(v)]));
  const value = nullableScalar(out.anyOf);
  if (value === undefined) return out;
  const { anyOf: _anyOf, ...rest } = out;
  return { ...rest, ...value, type: [value.type, 'null'] };
}

/**
 * A response schema as a list route hands it to Fastify: every
 * `anyOf: [scalar, null]` written as `type: [scalar, 'null']`. Both say the
 * same thing and give the same OpenAPI document (`type: scalar, nullable: true`),
 * but the response serializer writes the second directly, while for the first
 * it runs a schema check on every nullable field of every row to pick a branch
 * (a page of 50 sessions has 400 of them). The TypeBox schemas themselves stay
 * as they are: the realtime codec compiles them with TypeBox, which has no kind
 * for a type list.
 */
export function forSerializer<T extends TSchema>(schema: T): T {
  return convert(schema) as T;
}
