import { Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { forSerializer } from './serializer-schema.ts';

const schema = Type.Object({
  at: Type.Union([Type.String({ format: 'date-time', description: 'When.' }), Type.Null()]),
  n: Type.Union([Type.Null(), Type.Integer()]),
  state: Type.Union([Type.Literal('a'), Type.Literal('b')], { description: 'One of two.' }),
  status: Type.Union([Type.Union([Type.Literal('a'), Type.Literal('b')]), Type.Null()]),
  target: Type.Union([Type.Object({ id: Type.Integer(), kind: Type.Union([Type.Literal('x'), Type.Literal('y')]) }), Type.Null()]),
  either: Type.Union([Type.String(), Type.Integer()]),
  mixed: Type.Union([Type.Literal('a'), Type.Literal(1)]),
  list: Type.Array(Type.Union([Type.Boolean(), Type.Null()])),
});

describe('forSerializer', () => {
  it('writes nullable scalars and objects as type lists, string literal unions as enums, and leaves every other union alone', () => {
    const out = forSerializer(schema) as unknown as { properties: Record<string, unknown> };
    expect(out.properties.at).toEqual({ type: ['string', 'null'], format: 'date-time', description: 'When.' });
    expect(out.properties.n).toEqual({ type: ['integer', 'null'] });
    expect(out.properties.state).toEqual({ type: 'string', enum: ['a', 'b'], description: 'One of two.' });
    expect(out.properties.status).toEqual({ type: ['string', 'null'], enum: ['a', 'b', null] });
    expect(out.properties.target).toEqual({
      type: ['object', 'null'],
      required: ['id', 'kind'],
      properties: { id: { type: 'integer' }, kind: { type: 'string', enum: ['x', 'y'] } },
    });
    expect(out.properties.either).toEqual(JSON.parse(JSON.stringify(schema.properties.either)));
    expect(out.properties.mixed).toEqual(JSON.parse(JSON.stringify(schema.properties.mixed)));
    expect(out.properties.list).toEqual({ type: 'array', items: { type: ['boolean', 'null'] } });
    expect(Object.getOwnPropertySymbols(out)).toEqual([]);
    // The TypeBox schema itself is untouched.
    expect(schema.properties.at.anyOf).toHaveLength(2);
  });

  it('accepts the same values through Fastify, and writes them as they are', async () => {
    const app = Fastify({ logger: false });
    for (const [path, body] of [['/original', schema], ['/converted', forSerializer(schema)]] as const) {
      app.post(path, { schema: { body, response: { 200: body } } }, async (request) => request.body);
    }
    const good = { at: null, n: 3, state: 'b', status: null, target: { id: 1, kind: 'y' }, either: 'z', mixed: 1, list: [true, null] };
    const variants = [
      good,
      { ...good, status: 'a', target: null, at: '2026-01-01T00:00:00.000Z', n: null },
      { ...good, state: 'c' },
      { ...good, status: 'c' },
      { ...good, target: { id: 1, kind: 'z' } },
      { ...good, target: 'x' },
      { ...good, n: 'x' },
    ];
    try {
      const statuses: number[] = [];
      for (const payload of variants) {
        const [original, converted] = await Promise.all(['/original', '/converted'].map((url) => app.inject({ method: 'POST', url, payload })));
        expect(converted!.statusCode).toBe(original!.statusCode);
        statuses.push(original!.statusCode);
        // The value as sent (the anyOf form is no reference here: it writes a null in `list` as false).
        if (original!.statusCode === 200) expect(JSON.parse(converted!.body)).toEqual(payload);
      }
      expect(statuses).toEqual([200, 200, 400, 400, 400, 400, 400]);
    } finally {
      await app.close();
    }
  });
});
