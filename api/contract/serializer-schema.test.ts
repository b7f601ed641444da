import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { forSerializer } from './serializer-schema.ts';

describe('forSerializer', () => {
  it('writes nullable scalars as type lists and leaves every other union alone', () => {
    const schema = Type.Object({
      at: Type.Union([Type.String({ format: 'date-time', description: 'When.' }), Type.Null()]),
      n: Type.Union([Type.Null(), Type.Integer()]),
      status: Type.Union([Type.Union([Type.Literal('a'), Type.Literal('b')]), Type.Null()]),
      target: Type.Union([Type.Object({ id: Type.Integer() }), Type.Null()]),
      either: Type.Union([Type.String(), Type.Integer()]),
      list: Type.Array(Type.Union([Type.Boolean(), Type.Null()])),
    });
    const out = forSerializer(schema) as unknown as { properties: Record<string, unknown> };
    expect(out.properties.at).toEqual({ type: ['string', 'null'], format: 'date-time', description: 'When.' });
    expect(out.properties.n).toEqual({ type: ['integer', 'null'] });
    expect(out.properties.status).toEqual(JSON.parse(JSON.stringify(schema.properties.status)));
    expect(out.properties.target).toEqual(JSON.parse(JSON.stringify(schema.properties.target)));
    expect(out.properties.either).toEqual(JSON.parse(JSON.stringify(schema.properties.either)));
    expect(out.properties.list).toEqual({ type: 'array', items: { type: ['boolean', 'null'] } });
    expect(Object.getOwnPropertySymbols(out)).toEqual([]);
    // The TypeBox schema itself is untouched.
    expect(schema.properties.at.anyOf).toHaveLength(2);
  });
});
