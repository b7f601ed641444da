// Loads the addon built by node-gyp at `npm ci` (build/ is git-ignored) and turns its
// per-job reports into promises. See src/sendfile.c for the threading model.
import { createRequire } from 'node:module';
import { constants } from 'node:os';

const binding = createRequire(import.meta.url)('./build/Release/sendfile.node');
const codeOf = new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));
const waiting = new Map();

binding.start((id, error, sent) => {
  const resolve = waiting.get(id);
  if (resolve === undefined) return;
  waiting.delete(id);
  resolve(error === 0 ? { ok: true, sent } : { ok: false, sent, errno: error, code: codeOf.get(error) ?? `E${error}` });
});

/** Sends `length` bytes of the file from `offset` to the socket; see index.d.ts. */
export function sendFile(socketFd, fileFd, offset, length, stalledMs) {
  const id = binding.send(socketFd, fileFd, offset, length, stalledMs);
  const done = new Promise((resolve) => waiting.set(id, resolve));
  return { done, cancel: () => binding.cancel(id) };
}
