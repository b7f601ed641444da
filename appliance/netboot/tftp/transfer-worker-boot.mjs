// Entry of a TFTP transfer worker thread. A worker inherits the main thread's
// execArgv, so under `tsx` (the appliance, the bench) the TypeScript loader is
// already there; under a runner that loads TypeScript its own way (Vitest) it is
// not, and tsx's API loads the worker module instead.
import process from 'node:process';
import { URL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const entry = new URL('./transfer-worker.ts', import.meta.url).href;
if (process.execArgv.some((arg) => arg.includes('tsx'))) await import(entry);
else await tsImport(entry, import.meta.url);
