/**
 * netascii (RFC 1350 §1, after the Telnet NVT of RFC 764): a line ends in CR LF
 * and a lone CR is sent as CR NUL. A Unix file becomes: LF -> CR LF, CR -> CR NUL.
 * Converting changes the length, so the server converts a whole file in memory
 * and serves (and announces in tsize) the converted bytes.
 */
export function toNetascii(input: Uint8Array): Buffer {
  let extra = 0;
  for (const byte of input) if (byte === LF || byte === CR) extra += 1;
  const out = Buffer.allocUnsafe(input.length + extra);
  let at = 0;
  for (const byte of input) {
    if (byte === LF) {
      out[at++] = CR;
      out[at++] = LF;
    } else if (byte === CR) {
      out[at++] = CR;
      out[at++] = 0;
    } else {
      out[at++] = byte;
    }
  }
  return out;
}

/** The inverse, for tests and clients: CR LF -> LF, CR NUL -> CR. */
export function fromNetascii(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let at = 0;
  for (let i = 0; i < input.length; i += 1) {
    const byte = input[i] as number;
    const next = input[i + 1];
    if (byte === CR && next === LF) {
      out[at++] = LF;
      i += 1;
    } else if (byte === CR && next === 0) {
      out[at++] = CR;
      i += 1;
    } else {
      out[at++] = byte;
    }
  }
  return out.subarray(0, at);
}

const CR = 0x0d;
const LF = 0x0a;
