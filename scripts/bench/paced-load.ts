import { Agent, request } from 'node:http';

export interface PacedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface PacedResult {
  sent: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * A steady rate of requests, as a fleet of stations sends them (each on its
 * own schedule), with the latency of each one measured from its send time.
 * autocannon's overallRate mode is not used for this: on a bare Fastify route
 * at 100 req/s it reports a p50 of tens of ms (its pacing delay counts as
 * latency), which would blame the server for the client's timer.
 * `stop`, checked before each request, ends a background load early (bounded
 * anyway by `seconds`).
 */
export async function pacedLoad(base: string, ratePerSecond: number, seconds: number, sockets: number, next: () => PacedRequest, stop: () => boolean = () => false): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const url = new URL(base);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const inFlight = new Set<Promise<void>>();
  const send = (req: PacedRequest) => {
    const started = process.hrtime.bigint();
    const done = new Promise<void>((resolve) => {
      const r = request({ agent, host: url.hostname, port: url.port, method: req.method, path: req.path, headers: req.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) non2xx++;
          resolve();
        });
      });
      r.on('error', () => {
        errors++;
        resolve();
      });
      r.end(req.body);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };
  let total = Math.round(ratePerSecond * seconds);
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    // A background load (`stop`) ends early once what it accompanies is done.
    if (stop()) {
      total = i;
      break;
    }
    // Each request leaves at its own slot, whatever the previous ones took.
    const wait = t0 + (i * 1000) / ratePerSecond - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    send(next());
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN) * 10) / 10;
  return { sent: total, non2xx, errors, p50: at(0.5), p99: at(0.99), max: at(1) };
}
