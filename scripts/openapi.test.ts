import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi-document.ts';

describe('docs/openapi.json', () => {
  it('is the document the code generates (run `npm run openapi` after changing a route)', async () => {
    const committed = readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8');
    expect(JSON.parse(committed)).toEqual(JSON.parse(await openApiDocument()));
  });
});
