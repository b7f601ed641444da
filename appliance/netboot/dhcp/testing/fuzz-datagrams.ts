/** Deterministic PRNG (xorshift32) so a failing fuzz case can be replayed from its seed. */
export function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/**
 * Yields `count` hostile datagrams: half pure noise of random length (0..700 bytes),
 * half copies of real packets with a few bytes flipped, truncated or with option
 * lengths rewritten, which reach deeper into the parser than noise does.
 */
export function* fuzzDatagrams(seeds: readonly Buffer[], count: number, seed = 0x5eed): Generator<Buffer> {
  const rand = xorshift(seed);
  for (let i = 0; i < count; i += 1) {
    if (i % 2 === 0 || seeds.length === 0) {
      const noise = Buffer.alloc(rand() % 701);
      for (let j = 0; j < noise.length; j += 1) noise[j] = rand() & 255;
      yield noise;
      continue;
    }
    yield mutate(seeds[rand() % seeds.length]!, rand);
  }
}

function mutate(original: Buffer, rand: () => number): Buffer {
  let copy = Buffer.from(original);
  const edits = 1 + (rand() % 8);
  for (let e = 0; e < edits; e += 1) {
    const kind = rand() % 4;
    const at = rand() % copy.length;
    if (kind === 0) copy[at] = rand() & 255;
    else if (kind === 1) copy = copy.subarray(0, at);
    else if (kind === 2 && at >= 240) copy[at] = 255 - (copy[at] ?? 0);
    else copy = Buffer.concat([copy, Buffer.from([rand() & 255, rand() & 255])]);
    if (copy.length === 0) break;
  }
  return copy;
}
