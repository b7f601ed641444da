/**
 * Floods the box with hostile datagrams from a client namespace:
 *   ip netns exec <ns> node --import tsx fuzz-sender.ts '<json FuzzRun>'
 * Bounded in count and in time; prints {sent, failed, ms} as one JSON line.
 */
import { createSocket } from 'node:dgram';
import { fixtureNames, readFixture } from '../../../appliance/netboot/dhcp/fixtures/read-fixture.ts';
import { fuzzDatagrams } from '../../../appliance/netboot/dhcp/testing/fuzz-datagrams.ts';

export interface FuzzRun {
  count: number;
  seed: number;
  boxIp: string;
  /** Stop sending after this long even if `count` is not reached. */
  deadlineMs: number;
}

async function main(): Promise<void> {
  const run = JSON.parse(process.argv[2]!) as FuzzRun;
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve) => socket.bind(68, '0.0.0.0', resolve));
  socket.setBroadcast(true);
  // Rotate over the three ways in: broadcast to 67, unicast to 67, unicast to 4011.
  const targets: Array<[string, number]> = [
    ['255.255.255.255', 67],
    [run.boxIp, 67],
    [run.boxIp, 4011],
  ];
  const started = Date.now();
  let sent = 0;
  let failed = 0;
  for (const datagram of fuzzDatagrams(fixtureNames.map(readFixture), run.count, run.seed)) {
    if (Date.now() - started > run.deadlineMs) break;
    const [address, port] = targets[sent % targets.length]!;
    await new Promise<void>((resolve) =>
      socket.send(datagram, port, address, (err) => {
        if (err) failed += 1;
        resolve();
      }),
    );
    sent += 1;
    // Yield now and then so the box (on the same 2 cores) gets to read its socket.
    if (sent % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  socket.close();
  process.stdout.write(`${JSON.stringify({ sent, failed, ms: Date.now() - started })}\n`);
}

void main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
