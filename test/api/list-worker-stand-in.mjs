// A stand-in for the list worker (api/lists/list-worker.ts) speaking its protocol, for the
// reader's tests of what a real worker does rarely: never answering, dying with reads in
// flight. A visitors search names what to do; any other read is answered with what the
// worker received (the main thread's time, the policy when sent) and its thread id.
import process from 'node:process';
import { TextEncoder } from 'node:util';
import { parentPort, threadId, workerData } from 'node:worker_threads';

if (workerData?.path === 'fail') {
  parentPort.postMessage({ type: 'failed', reason: 'stand-in told to fail' });
  parentPort.close();
} else {
  parentPort.on('message', (msg) => {
    if (msg.type === 'close') {
      parentPort.close();
      return;
    }
    const what = msg.request.options?.search;
    if (what === 'hang') return;
    if (what === 'crash') process.exit(7);
    if (what === 'domain-error') {
      const error = { kind: 'domain', code: 'USER_LIST_INVALID', category: 'invalid', fr: 'fr', en: 'en', fields: [{ field: 'search', fr: 'a', en: 'b' }], details: {} };
      parentPort.postMessage({ type: 'error', id: msg.id, error });
      return;
    }
    const body = new TextEncoder().encode(JSON.stringify({ now: msg.now, policy: msg.policy ?? null, threadId }));
    parentPort.postMessage({ type: 'page', id: msg.id, body: body.buffer }, [body.buffer]);
  });
  parentPort.postMessage({ type: 'ready' });
}
