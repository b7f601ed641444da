// Entry of a TFTP transfer worker thread. Under the `tsx` command (the appliance)
// the worker inherits its TypeScript loader and imports the module directly; under
// `node --import tsx` (the bench) or Vitest it has none ("Unknown file extension
// .ts"), and tsx's API loads the module instead.
import { URL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const entry = new URL('./transfer-worker.ts', import.meta.url).href;
try {
  await import(entry);
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  await tsImport(entry, import.meta.url);
}
