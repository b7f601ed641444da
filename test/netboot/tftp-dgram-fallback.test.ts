import { describe, expect, it } from 'vitest';
import { fixtureDefaults, startTftpFixture } from './tftp-support/tftp-fixture.ts';

/*
 * The transfer suites again, on the node:dgram peer socket: the path taken when the
 * native addon (@epnbox/datagram) is missing or fails to load. Each test file runs in
 * its own module graph, so the suites imported below get their fixtures with
 * `nativeDatagram: false`, and the native path keeps its own run in their files.
 */
fixtureDefaults.nativeDatagram = false;

describe('node:dgram fallback', () => {
  it('is the path fixtures take in this file; the native one elsewhere', async () => {
    const fallback = await startTftpFixture();
    const native = await startTftpFixture({ nativeDatagram: true });
    try {
      expect(fallback.server.transferPath).toBe('dgram (nativeDatagram: false)');
      expect(native.server.transferPath).toBe('datagram');
    } finally {
      await fallback.close();
      await native.close();
    }
  });
});

await import('./tftp-protocol.test.ts');
await import('./tftp-connected.test.ts');
await import('./tftp-clients.test.ts');
await import('./tftp-rollover.test.ts');
await import('./tftp-retransmit-clock.test.ts');
await import('./tftp-workers.test.ts');
await import('./tftp-fuzz.test.ts');
