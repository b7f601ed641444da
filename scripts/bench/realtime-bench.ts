// npm run bench -- realtime: 1,000 stations on /ws/station beating every 10 s,
// 100 operator actions per second (add time over REST), sessions expiring
// during the run. Reports the latency from an operator action to the
// station's receipt, deadline lateness, and the appliance's RSS and CPU.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import WebSocket from 'ws';
import { benchNodeFlags, cpuSeconds, freePort, peakRssMiB, rssMiB, startNode, waitForHttp } from './bench-support.ts';
import { seedBenchDatabase } from './seed-bench-database.ts';

const STATIONS = Number(process.env.BENCH_STATIONS ?? 1000);
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 60);
const ACTIONS_PER_S = Number(process.env.BENCH_ACTIONS ?? 100);
/** Sessions whose deadline falls inside the run, spread over its middle. */
const EXPIRING = Math.min(200, Math.floor(STATIONS / 5));

interface Station {
  stationId: number;
  sessionId: number;
  token: string;
  socket?: WebSocket;
}

const pct = (xs: number[], p: number) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!);
const summary = (xs: number[]) => `p50 ${pct(xs, 50)} ms, p99 ${pct(xs, 99)} ms, max ${Math.max(...xs)} ms (n=${xs.length})`;

/** Asks the appliance for a heap snapshot and waits until the file in `dir` stops growing. */
async function heapSnapshot(pid: number, dir: string): Promise<void> {
  const size = () => readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  const before = size();
  process.kill(pid, 'SIGUSR2');
  for (let last = before, i = 0; i < 120; i += 1) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = size();
    if (now > before && now === last) return;
    last = now;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'epnbox-bench-rt-'));
const dataDir = join(dir, 'data');
mkdirSync(dataDir, { recursive: true });
const dbPath = join(dataDir, 'epnbox.sqlite');
let stop: (() => Promise<void>) | undefined;
const stations: Station[] = [];
try {
  const seeded = await seedBenchDatabase(dbPath, { visitors: 2000, pastSessions: 10_000, busyStations: STATIONS, freeStations: 0, freshCodes: 0, auditEvents: 10_000 }, Date.now());
  stations.push(...seeded.busy);
  const expiring = stations.slice(0, EXPIRING);
  const acted = stations.slice(EXPIRING);

  // Deadlines spread over the middle of the run, written before the box starts: it arms them
  // from the database at start, as after any restart.
  const deadlines = new Map<number, number>();
  const firstDeadline = Date.now() + 25_000;
  const spread = Math.max(1000, DURATION_S * 1000 - 35_000);
  const raw = new BetterSqlite3(dbPath);
  const setDeadline = raw.prepare('update sessions set ends_at = ? where id = ?');
  expiring.forEach((s, i) => {
    const at = firstDeadline + Math.floor((i * spread) / expiring.length);
    setDeadline.run(at, s.sessionId);
    deadlines.set(s.sessionId, at);
  });
  raw.close();

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = startNode('appliance/main.ts', { EPNBOX_DATA_DIR: dataDir, EPNBOX_HTTP_PORT: String(port), EPNBOX_LOG_LEVEL: 'warn' });
  stop = app.stop;
  await waitForHttp(`${base}/api/health`);
  const pid = app.child.pid!;
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: seeded.adminPassword }) });
  const operator = { 'content-type': 'application/json', authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };

  // Connect every station; the deadlines are set once all are in, relative to the run's start.
  const pending = new Map<number, number[]>();
  const actionLatency: number[] = [];
  const deadlineLateness: number[] = [];
  let heartbeatAcks = 0;
  let errors = 0;
  const t0 = Date.now();
  await Promise.all(
    stations.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/station`, { headers: { authorization: `Bearer ${s.token}` } });
          s.socket = socket;
          socket.on('message', (data) => {
            const m = JSON.parse(String(data)) as { type: string; sessionId?: number; endReason?: string };
            if (m.type === 'connection_established') resolve();
            else if (m.type === 'heartbeat_ack') heartbeatAcks += 1;
            else if (m.type === 'error') errors += 1;
            else if (m.type === 'time_added') {
              const started = pending.get(m.sessionId!)?.shift();
              if (started !== undefined) actionLatency.push(Date.now() - started);
            } else if (m.type === 'ended' && m.endReason === 'expired') {
              const due = deadlines.get(m.sessionId!);
              if (due !== undefined) deadlineLateness.push(Date.now() - due);
            }
          });
          socket.once('error', reject);
        }),
    ),
  );
  const connectMs = Date.now() - t0;

  const runStart = Date.now();
  const cpuBefore = cpuSeconds(pid);
  const beats = stations.map((s, i) =>
    setTimeout(() => {
      const beat = () => s.socket?.readyState === WebSocket.OPEN && s.socket.send(JSON.stringify({ v: 1, type: 'heartbeat', uptimeSeconds: 100, load: 0.2 }));
      beat();
      (s as Station & { timer?: NodeJS.Timeout }).timer = setInterval(beat, 10_000);
    }, (i * 10_000) / stations.length),
  );
  let sent = 0;
  let failed = 0;
  const act = () => {
    const s = acted[sent++ % acted.length]!;
    const list = pending.get(s.sessionId) ?? [];
    list.push(Date.now());
    pending.set(s.sessionId, list);
    void fetch(`${base}/api/sessions/${s.sessionId}/add-time`, { method: 'POST', headers: operator, body: '{"minutes":1}' })
      .then((res) => {
        if (!res.ok) failed += 1;
        return res.arrayBuffer();
      })
      .catch(() => (failed += 1));
  };
  // Paced by elapsed time, not by counting ticks: a late tick sends what is due.
  const actions = setInterval(() => {
    const due = Math.floor(((Date.now() - runStart) / 1000) * ACTIONS_PER_S);
    while (sent < due) act();
  }, 5);
  // RSS every 10 s, to tell a plateau from a creep; BENCH_SMAPS_DIR keeps /proc/PID/smaps
  // at 1, 5 and 10 minutes (and at the end) to see which mappings grew.
  const rssTimeline: string[] = [];
  const smapsDir = process.env.BENCH_SMAPS_DIR;
  // Read, not copied: /proc files report a size of 0.
  if (smapsDir) mkdirSync(smapsDir, { recursive: true });
  // A sample that cannot be kept is said, never fatal: it fires from a timer, outside the finally below.
  const keepSmaps = (label: string) => {
    if (!smapsDir) return;
    try {
      writeFileSync(join(smapsDir, `smaps-${label}`), readFileSync(`/proc/${pid}/smaps`));
    } catch (error) {
      console.error(`smaps at ${label} not kept: ${(error as Error).message}`);
    }
  };
  const sampler = setInterval(() => {
    const s = Math.round((Date.now() - runStart) / 1000);
    rssTimeline.push(`${s}s ${rssMiB(pid)}`);
    if (smapsDir && [60, 300, 600].includes(Math.round(s / 10) * 10)) keepSmaps(`${Math.round(s / 10) * 10}s`);
  }, 10_000);
  await new Promise((r) => setTimeout(r, DURATION_S * 1000));
  clearInterval(actions);
  clearInterval(sampler);
  keepSmaps('end');
  const cpu = Math.round(((cpuSeconds(pid) - cpuBefore) / ((Date.now() - runStart) / 1000)) * 100);
  const rss = rssMiB(pid);
  const peakRss = peakRssMiB(pid);
  // BENCH_HEAP_SNAPSHOT_DIR=dir (with BENCH_NODE_FLAGS='--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=dir'):
  // a V8 heap snapshot once the figures above are read, to compare what a long run keeps.
  if (process.env.BENCH_HEAP_SNAPSHOT_DIR) await heapSnapshot(pid, process.env.BENCH_HEAP_SNAPSHOT_DIR);
  await new Promise((r) => setTimeout(r, 1000));
  beats.forEach(clearTimeout);
  for (const s of stations) clearInterval((s as Station & { timer?: NodeJS.Timeout }).timer);

  const db = new BetterSqlite3(dbPath, { readonly: true });
  const commits = db
    .prepare(`select s.id, s.ended_at, a.occurred_at from sessions s join audit_events a on a.target_id = s.id and a.action = 'session.expired' where s.id in (${expiring.map((s) => s.sessionId).join(',')})`)
    .all() as Array<{ id: number; ended_at: number; occurred_at: number }>;
  db.close();
  const wrongEnd = commits.filter((c) => c.ended_at !== deadlines.get(c.id)).length;

  console.log(`\n| measure | value |\n|---|---|`);
  console.log(`| stations connected | ${stations.length} in ${connectMs} ms |`);
  console.log(`| operator actions (add time, REST) | ${sent} sent at ${ACTIONS_PER_S}/s, ${failed} failed |`);
  console.log(`| action -> station receipt | ${summary(actionLatency)} |`);
  console.log(`| deadlines in the run | ${deadlines.size}; expired ${commits.length}, ended_at = deadline for ${commits.length - wrongEnd} |`);
  console.log(`| deadline -> expiry committed | ${summary(commits.map((c) => Number(c.occurred_at) - Number(c.ended_at)))} |`);
  console.log(`| deadline -> station receipt | ${summary(deadlineLateness)} |`);
  console.log(`| heartbeats acked | ${heartbeatAcks}; error replies ${errors} |`);
  console.log(`| appliance RSS at the end (peak) | ${rss} MiB = ${Math.round(rss * 1.048576)} MB (${peakRss} MiB) |`);
  console.log(`| appliance CPU during the run | ${cpu} % of one core |`);
  console.log(`\nRSS MiB every 10 s: ${rssTimeline.join(', ')}`);
  const how = process.env.BENCH_TSX === '1' ? 'through tsx' : `compiled (${process.env.BENCH_DIST ?? 'dist/'}), node ${benchNodeFlags().join(' ')}`;
  console.log(`\n${DURATION_S} s run, clients in the bench process on the same machine; node ${process.version}; appliance ${how}.`);
} finally {
  for (const s of stations) s.socket?.terminate();
  await stop?.();
  rmSync(dir, { recursive: true, force: true });
}
