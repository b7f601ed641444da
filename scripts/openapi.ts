// Writes docs/openapi.json from the route schemas: `npm run openapi`.
import { writeFileSync } from 'node:fs';
import { openApiDocument } from './openapi-document.ts';

const target = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(target, await openApiDocument());
console.log(`wrote ${target.pathname}`);
