// Entry of the list worker thread when the appliance runs from its TypeScript
// sources (worker-list-reader.ts picks list-worker.js when compiled). Under the
// `tsx` command the worker inherits its loader and imports the module directly;
// under `node --import tsx` or Vitest it has none ("Unknown file extension
// .ts"), and tsx's API loads the module instead.
import { URL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const entry = new URL('./list-worker.ts', import.meta.url).href;
try {
  await import(entry);
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  await tsImport(entry, import.meta.url);
}
