// Loads the addon built by node-gyp at `npm ci` (build/ is git-ignored) and wraps its
// handle in a small class. See src/datagram.c for the model and index.d.ts for the contract.
import { createRequire } from 'node:module';
import { constants } from 'node:os';

const binding = createRequire(import.meta.url)('./build/Release/datagram.node');
const codeOf = new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));

/** The errno name of a negative result (-111 -> "ECONNREFUSED"). */
export function errnoCode(result) {
  return codeOf.get(-result) ?? `E${-result}`;
}

function systemError(syscall, result) {
  const code = errnoCode(result);
  return Object.assign(new Error(`${syscall} ${code}`), { code, errno: result, syscall });
}

export class ConnectedDatagramSocket {
  #handle;

  constructor(host, peerAddress, peerPort, receiveBuffer, onResult) {
    const handle = binding.open(host, peerAddress, peerPort, receiveBuffer, onResult);
    if (typeof handle === 'number') throw systemError('open', handle);
    this.#handle = handle;
    this.localPort = binding.localPort(handle);
  }

  send(buffer, length = buffer.length) {
    return binding.send(this.#handle, buffer, length);
  }

  sendParts(head, body) {
    return binding.sendParts(this.#handle, head, body);
  }

  awaitReadable(maxNanoseconds) {
    return binding.awaitReadable(this.#handle, maxNanoseconds);
  }

  close() {
    binding.close(this.#handle);
  }
}
