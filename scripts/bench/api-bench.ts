// npm run bench -- api: the API under load on a seeded database, beside a
// bare Fastify route. Prints a markdown table for docs/performance.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Request } from 'autocannon';
import { cpuSeconds, freePort, rssMiB, startNode, waitForHttp } from './bench-support.ts';
import { pacedLoad, type PacedRequest, type PacedResult } from './paced-load.ts';
import { seedBenchDatabase } from './seed-bench-database.ts';

const SIZES = { visitors: 10_000, pastSessions: 100_000, busyStations: 1000, freeStations: 1000, freshCodes: 30_000, auditEvents: 300_000 };
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 20;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
// BENCH_ONLY=heartbeat,time-remaining runs only the lines whose name contains one of the words
// (the reference line always runs: it is the yardstick for the machine's state).
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((w) => w.trim()).filter((w) => w !== '');
const wanted = (name: string) => ONLY.length === 0 || ONLY.some((w) => name.includes(w));

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  rss: number;
  cpu: number;
  /** Server CPU (user + system) per completed request, µs: steadier than req/s on a shared machine. */
  cpuUsPerRequest: number;
}

async function load(name: string, pid: number, url: string, requests: Request[], headers: Record<string, string> = {}): Promise<Row | undefined> {
  if (!name.startsWith('reference') && !wanted(name)) return undefined;
  // Unmeasured warm-up: the first calls of a route compile its code (JIT, schemas, statements); a
  // line run first (or alone, with BENCH_ONLY) would otherwise pay for that and the others not.
  await autocannon({ url, connections: CONNECTIONS, amount: WARMUP, requests, headers: { 'content-type': 'application/json', ...headers } });
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, requests, headers: { 'content-type': 'application/json', ...headers } });
  const cpu = (cpuSeconds(pid) - cpuBefore) / DURATION;
  const cpuUsPerRequest = result.requests.total > 0 ? Math.round(((cpuSeconds(pid) - cpuBefore) * 1e6) / result.requests.total) : NaN;
  return { name, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx, rss: rssMiB(pid), cpu: Math.round(cpu * 100), cpuUsPerRequest };
}

/** A line at a steady rate (pacedLoad), as a fleet of stations sends it; no warm-up needed after the saturation line. */
async function paced(name: string, pid: number, url: string, rate: number, sockets: number, next: () => PacedRequest): Promise<Row | undefined> {
  if (!wanted(name)) return undefined;
  const cpuBefore = cpuSeconds(pid);
  const r = await pacedLoad(url, rate, DURATION, sockets, next);
  const used = cpuSeconds(pid) - cpuBefore;
  return { name, rps: Math.round(r.sent / DURATION), p50: r.p50, p99: r.p99, errors: r.errors, non2xx: r.non2xx, rss: rssMiB(pid), cpu: Math.round((used / DURATION) * 100), cpuUsPerRequest: Math.round((used * 1e6) / r.sent) };
}

/**
 * One heartbeat from each station, unmeasured, before the station lines: the
 * seeded stations last beat at seeding time, and the appliance's minute sweep
 * takes a station silent for 30 s offline. Without this, whether a line ran
 * against online stations (or validate-code got refusals) depended on when
 * the sweep fell.
 */
async function beatAll(url: string, stations: Array<{ stationId: number; token: string }>): Promise<void> {
  await autocannon({ url, connections: CONNECTIONS, amount: stations.length, requests: cycle(stations, (s, req) => beatRequest(s, req)), headers: { 'content-type': 'application/json' } });
}

function beatRequest(s: { stationId: number; token: string }, req: Request): Request {
  return { ...req, method: 'POST', path: `/api/stations/${s.stationId}/heartbeat`, headers: { ...req.headers, authorization: `Bearer ${s.token}` }, body: '{"agentVersion":"bench"}' };
}

/** Cycles through a list, one item per request, across all connections. */
function cycle<T>(items: T[], make: (item: T, req: Request) => Request): Request[] {
  let i = 0;
  return [{ setupRequest: (req: Request) => make(items[i++ % items.length]!, req) } as Request];
}

const dir = mkdtempSync(join(tmpdir(), 'epnbox-bench-api-'));
const dataDir = join(dir, 'data');
const rows: Row[] = [];
const add = (row: Row | undefined) => {
  if (row) rows.push(row);
};
let stops: Array<() => Promise<void>> = [];
try {
  const t0 = Date.now();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dataDir, { recursive: true });
  const seeded = await seedBenchDatabase(join(dataDir, 'epnbox.sqlite'), SIZES, Date.now());
  console.error(`seeded ${JSON.stringify(SIZES)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = startNode('appliance/main.ts', { EPNBOX_DATA_DIR: dataDir, EPNBOX_HTTP_PORT: String(port), EPNBOX_LOG_LEVEL: 'warn' });
  const baselinePort = await freePort();
  const baseline = startNode('scripts/bench/baseline-server.ts', { BASELINE_PORT: String(baselinePort) });
  stops = [app.stop, baseline.stop];
  await waitForHttp(`${base}/api/health`);
  await waitForHttp(`http://127.0.0.1:${baselinePort}/hello`);
  const pid = app.child.pid!;

  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: seeded.adminPassword }) });
  const operator = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };

  add(await load('reference: bare Fastify GET /hello', baseline.child.pid!, `http://127.0.0.1:${baselinePort}/hello`, [{ method: 'GET', path: '/hello' } as Request]));
  add(await load('GET /api/health (SQLite select 1)', pid, base, [{ method: 'GET', path: '/api/health' } as Request]));
  const stations = [...seeded.busy, ...seeded.free];
  if (wanted('heartbeat') || wanted('time-remaining') || wanted('validate-code')) await beatAll(base, stations);
  add(await load('POST /api/stations/:id/heartbeat (1,000 stations)', pid, base, cycle(seeded.busy, beatRequest)));
  // What 1,000 stations beating every 10 s really send: 100 beats/s, each station once per 10 s.
  // The line above is the saturation test (20 connections flat out); this one the everyday latency.
  let k = 0;
  add(
    await paced('POST /api/stations/:id/heartbeat at the real rate of 1,000 stations (100/s)', pid, base, 100, 100, () => {
      const s = seeded.busy[k++ % seeded.busy.length]!;
      return { method: 'POST', path: `/api/stations/${s.stationId}/heartbeat`, headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` }, body: '{"agentVersion":"bench"}' };
    }),
  );
  add(
    await load('GET /api/sessions/:id/time-remaining (station, own session)', pid, base,
      cycle(seeded.busy, (s, req) => ({ ...req, method: 'GET', path: `/api/sessions/${s.sessionId}/time-remaining`, headers: { ...req.headers, authorization: `Bearer ${s.token}` } }))),
  );
  if (wanted('validate-code')) await beatAll(base, seeded.free);
  const pairs = seeded.codes.map((code, i) => ({ code, station: seeded.free[i % seeded.free.length]! }));
  add(
    await load('POST /api/sessions/validate-code (fresh codes, 1,000 stations)', pid, base,
      cycle(pairs, (p, req) => ({ ...req, method: 'POST', path: '/api/sessions/validate-code', headers: { ...req.headers, authorization: `Bearer ${p.station.token}` }, body: JSON.stringify({ code: p.code }) }))),
  );
  const lists = ['/api/users?pageSize=50&page=20', '/api/users?search=nom42&pageSize=50', '/api/sessions?pageSize=50&page=100', '/api/audit?pageSize=50&page=100', '/api/stations?pageSize=50&page=10', '/api/sessions/live'];
  // Operators list while the stations go on beating, each once per 10 s as the real fleet does
  // (the paced line above). Left silent after the station lines, the 2,000 stations fell offline
  // during the lists, all in one minute sweep (~1.4 s of work spread over a list line), which no
  // real room does. The beats' own latency is printed under the table.
  let background: Promise<PacedResult> | undefined;
  let listsDone = false;
  if (lists.some((path) => wanted(`GET ${path}`))) {
    await beatAll(base, stations);
    let b = 0;
    const nextBeat = (): PacedRequest => {
      const s = stations[b++ % stations.length]!;
      return { method: 'POST', path: `/api/stations/${s.stationId}/heartbeat`, headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` }, body: '{"agentVersion":"bench"}' };
    };
    background = pacedLoad(base, stations.length / 10, lists.length * (DURATION + 10), 20, nextBeat, () => listsDone);
  }
  for (const path of lists) add(await load(`GET ${path}`, pid, base, [{ method: 'GET', path } as Request], operator));
  listsDone = true;
  const beats = await background;

  console.log(`\n| endpoint | req/s | p50 ms | p99 ms | non-2xx | errors | RSS MiB | server CPU % | CPU µs/req |\n|---|---|---|---|---|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${r.rss} | ${r.cpu} | ${r.cpuUsPerRequest} |`);
  console.log(`\n${DURATION} s per line after ${WARMUP} unmeasured requests, ${CONNECTIONS} connections, autocannon in the bench process; node ${process.version}.`);
  if (beats) console.log(`During the list lines every station beat once per 10 s (${stations.length / 10}/s): ${beats.sent} heartbeats, p50 ${beats.p50} ms, p99 ${beats.p99} ms, max ${beats.max} ms, non-2xx ${beats.non2xx}, errors ${beats.errors}.`);
} finally {
  for (const stop of stops) await stop();
  rmSync(dir, { recursive: true, force: true });
}
