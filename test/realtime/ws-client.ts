import WebSocket from 'ws';

export interface Received {
  type: string;
  [key: string]: unknown;
}

/**
 * A real `ws` client for the tests: collects every message, lets a test
 * wait for the next one of a type, and reports how the server closed.
 * Waits have a generous safety limit so a missing message fails the test
 * with a clear line instead of hanging; they assert nothing about speed.
 */
export class TestClient {
  readonly received: Received[] = [];
  private readonly taken = new Set<number>();
  private waiters: Array<() => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as Received);
      this.wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => {
      this.wake();
      resolve({ code, reason: String(reason) });
    }));
  }

  static async connect(url: string, options: WebSocket.ClientOptions & { protocols?: string[] } = {}): Promise<TestClient> {
    const { protocols, ...rest } = options;
    const socket = new WebSocket(url, protocols ?? [], rest);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
    });
    return client;
  }

  /** Resolves with the HTTP status of a refused handshake. */
  static async refusal(url: string, options: WebSocket.ClientOptions & { protocols?: string[] } = {}): Promise<number> {
    const { protocols, ...rest } = options;
    const socket = new WebSocket(url, protocols ?? [], rest);
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        socket.close();
        reject(new Error('handshake accepted'));
      });
      socket.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        socket.terminate();
      });
      socket.once('error', () => {});
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message not yet taken (of `type` if given; others stay for later calls). */
  async next<T extends Received = Received>(type?: string, limitMs = 5000): Promise<T> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const i = this.received.findIndex((m, index) => !this.taken.has(index) && (type === undefined || m.type === type));
      if (i >= 0) {
        this.taken.add(i);
        return this.received[i] as T;
      }
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`connection closed while waiting for ${type ?? 'a message'}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type ?? 'message'} within ${limitMs} ms; received: ${this.received.map((r) => r.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Every message of a type received so far. */
  all(type: string): Received[] {
    return this.received.filter((m) => m.type === type);
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
