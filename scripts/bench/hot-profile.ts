// In-process CPU per request of the station hot routes (issue 3): the appliance
// started in this process on the api bench's seeded database, each route called
// HOT_PROFILE_N times through app.inject, one at a time (routing, hooks, auth,
// schemas and serialisation included; no sockets). Prints CPU µs per request
// (process.cpuUsage). Run: nice -n 5 npx tsx scripts/bench/hot-profile.ts
// HOT_PROFILE_DB=<file> keeps the seeded database (and <file>.json) between runs;
// HOT_PROFILE_ONLY=heartbeat,health filters; HOT_PROFILE_CPU=<dir> writes V8 CPU profiles;
// HOT_PROFILE_LOG=info runs with the production logger (to a null stream) instead of none.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { resolveConfig } from '../../appliance/config/load-config.ts';
import { startAppliance } from '../../appliance/start-appliance.ts';
import { profiled } from './cpu-profile.ts';
import { seedBenchDatabase, type SeededData } from './seed-bench-database.ts';

const SIZES = { visitors: 10_000, pastSessions: 100_000, busyStations: 1000, freeStations: 1000, freshCodes: 30_000, auditEvents: 300_000 };
const N = Number(process.env.HOT_PROFILE_N ?? 10000);
const ONLY = process.env.HOT_PROFILE_ONLY;
const kept = process.env.HOT_PROFILE_DB;
const PROFILE_DIR = process.env.HOT_PROFILE_CPU;
const dir = mkdtempSync(join(tmpdir(), 'epnbox-hot-profile-'));
const dataDir = join(dir, 'data');
mkdirSync(dataDir);
const dbFile = join(dataDir, 'epnbox.sqlite');
let seeded: SeededData;
if (kept && existsSync(kept) && existsSync(`${kept}.json`)) {
  copyFileSync(kept, dbFile);
  seeded = JSON.parse(readFileSync(`${kept}.json`, 'utf8')) as SeededData;
} else {
  seeded = await seedBenchDatabase(dbFile, SIZES, Date.now());
  if (kept) {
    copyFileSync(dbFile, kept);
    writeFileSync(`${kept}.json`, JSON.stringify(seeded));
  }
}
const config = resolveConfig({ env: { EPNBOX_DATA_DIR: dataDir, EPNBOX_HTTP_PORT: '0', EPNBOX_HTTP_HOST: '127.0.0.1', EPNBOX_LOG_LEVEL: 'warn' } });
const running = await startAppliance(config, { logger: process.env.HOT_PROFILE_LOG ? ({ level: process.env.HOT_PROFILE_LOG, stream: { write() {} } } as never) : false });
try {
  const busy = seeded.busy;
  const pairs = seeded.codes.map((code, i) => ({ code, station: seeded.free[i % seeded.free.length]! }));
  let k = 0;
  const routes: Record<string, () => InjectOptions> = {
    health: () => ({ method: 'GET', url: '/api/health' }),
    heartbeat: () => { const s = busy[k++ % busy.length]!; return { method: 'POST', url: `/api/stations/${s.stationId}/heartbeat`, headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` }, payload: '{"agentVersion":"bench"}' }; },
    'time-remaining': () => { const s = busy[k++ % busy.length]!; return { method: 'GET', url: `/api/sessions/${s.sessionId}/time-remaining`, headers: { authorization: `Bearer ${s.token}` } }; },
    'validate-code': () => { const p = pairs[k++ % pairs.length]!; return { method: 'POST', url: '/api/sessions/validate-code', headers: { 'content-type': 'application/json', authorization: `Bearer ${p.station.token}` }, payload: JSON.stringify({ code: p.code }) }; },
  };
  // Every station beats once, unmeasured: the seeded beats are old (as in api-bench.ts).
  for (const s of [...seeded.busy, ...seeded.free]) await running.app.inject({ method: 'POST', url: `/api/stations/${s.stationId}/heartbeat`, headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` }, payload: '{"agentVersion":"bench"}' });
  const out: string[] = [];
  for (const [name, make] of Object.entries(routes)) {
    if (ONLY && !ONLY.split(',').some((w) => name.includes(w))) continue;
    // Unmeasured warm-up (JIT, schemas, statements), every answer checked.
    for (let i = 0; i < 2000; i++) {
      const r = await running.app.inject(make());
      if (r.statusCode !== 200) throw new Error(`${name} ${r.statusCode} ${r.body}`);
    }
    const c0 = process.cpuUsage();
    await profiled(PROFILE_DIR, name, async () => { for (let i = 0; i < N; i++) await running.app.inject(make()); });
    const c = process.cpuUsage(c0);
    out.push(`${name} ${((c.user + c.system) / N).toFixed(1)} µs`);
  }
  console.log(`CPU per request, ${N} requests each: ${out.join(' | ')}`);
} finally {
  await running.close();
  rmSync(dir, { recursive: true, force: true });
}
