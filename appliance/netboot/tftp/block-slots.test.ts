import { describe, expect, it } from 'vitest';
import { BlockSlots } from './block-slots.ts';
import { MemorySource } from './file-source.ts';
import type { PeerSocket } from './peer-socket.ts';

/** What a peer socket was asked to send, each datagram as the bytes the client would get. */
function recordingPeer(withParts: boolean): { peer: PeerSocket; sent: Buffer[]; parts: number } {
  const record = { sent: [] as Buffer[], parts: 0 };
  const peer: PeerSocket = {
    port: 1,
    setHandler: () => {},
    send: (packet) => void record.sent.push(Buffer.from(packet)),
    close: () => {},
    ...(withParts && {
      sendParts: (head: Buffer, body: Buffer) => {
        record.parts += 1;
        record.sent.push(Buffer.concat([head, body]));
      },
    }),
  };
  return { peer, get sent() { return record.sent; }, get parts() { return record.parts; } };
}

function sharedFile(size: number): Buffer {
  const data = Buffer.from(new SharedArrayBuffer(size));
  for (let i = 0; i < size; i += 1) data[i] = (i * 7) & 0xff;
  return data;
}

const packet = (block: number, data: Buffer) => Buffer.concat([Buffer.from([0, 3, block >> 8, block & 0xff]), data]);

describe('BlockSlots', () => {
  for (const withParts of [true, false]) {
    it(`${withParts ? 'header + view (native socket)' : 'copied into the slot (dgram)'}: every block, the short last one, and resends are the same bytes`, () => {
      const file = sharedFile(1000);
      const rec = recordingPeer(withParts);
      const slots = new BlockSlots(3, 256, 0, new MemorySource(file), rec.peer);
      for (let block = 1; block <= 4; block += 1) {
        expect(slots.fill(block)).toBe(block < 4 ? 256 : 232);
        slots.send(block);
      }
      // Blocks 2-4 are still in their slots (a window of 3): resent as they were.
      slots.send(2);
      slots.send(4);
      const blocks = [1, 2, 3, 4].map((b) => packet(b, file.subarray((b - 1) * 256, Math.min(b * 256, 1000))));
      expect(rec.sent).toEqual([...blocks, blocks[1], blocks[3]]);
      expect(rec.parts).toBe(withParts ? 6 : 0);
    });
  }

  it('a file ending on a block boundary ends with an empty block; wire numbers wrap as negotiated', () => {
    const rec = recordingPeer(true);
    const slots = new BlockSlots(1, 4, 1, new MemorySource(sharedFile(8)), rec.peer);
    expect(slots.fill(3)).toBe(0);
    slots.send(3);
    expect(rec.sent[0]).toEqual(Buffer.from([0, 3, 0, 3]));
    // Block 65,536 goes out as 1 when the client asked for rollover to 1.
    slots.fill(65_536);
    slots.send(65_536);
    expect(rec.sent[1]!.subarray(0, 4)).toEqual(Buffer.from([0, 3, 0, 1]));
  });

  it('a source without views (a descriptor) is read into the slot even on the native socket', async () => {
    const rec = recordingPeer(true);
    const data = Buffer.from('0123456789');
    const source = { size: 10, read: (target: Buffer, at: number, position: number, length: number) => Promise.resolve(data.copy(target, at, position, position + length)), close: () => {} };
    const slots = new BlockSlots(1, 8, 0, source, rec.peer);
    const read = await slots.fill(2);
    slots.filled(2, read);
    slots.send(2);
    expect(rec.sent).toEqual([Buffer.from([0, 3, 0, 2, 0x38, 0x39])]);
    expect(rec.parts).toBe(0);
  });
});
