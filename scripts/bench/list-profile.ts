// In-process cost of the list endpoints (issue 3): the appliance started on a
// seeded database in this process, each list requested N times through
// app.inject (routing, auth, schemas and serialisation included), one at a
// time. Prints CPU ms per request (process.cpuUsage), which is what bounds p99
// under 20 connections (latency ≈ connections × CPU per request).
// Run: nice -n 5 npx tsx scripts/bench/list-profile.ts
// LIST_PROFILE_DB=<file> keeps the seeded database between runs (seeded when missing);
// LIST_PROFILE_N (default 200) requests per endpoint; LIST_PROFILE_ONLY=<substring> filters;
// LIST_PROFILE_CPU=<dir> writes a V8 CPU profile of each timed loop there;
// LIST_PROFILE_ALLOC=<dir> also samples each loop's allocations (allocation-profile.ts) and prints KiB/req
// (the CPU figures of such a run include the sampler's cost);
// LIST_PROFILE_PATHS=<path>,<path> replaces the bench's six lists (e.g. /api/auth/me for the floor).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../appliance/config/load-config.ts';
import { startAppliance } from '../../appliance/start-appliance.ts';
import { allocationSampled } from './allocation-profile.ts';
import { profiled } from './cpu-profile.ts';
import { seedBenchDatabase } from './seed-bench-database.ts';

const SIZES = { visitors: 10_000, pastSessions: 100_000, busyStations: 1000, freeStations: 1000, freshCodes: 30_000, auditEvents: 300_000 };
const N = Number(process.env.LIST_PROFILE_N ?? 200);
const ONLY = process.env.LIST_PROFILE_ONLY;
const PATHS = process.env.LIST_PROFILE_PATHS?.split(',') ?? [
  '/api/users?pageSize=50&page=20',
  '/api/users?search=nom42&pageSize=50',
  '/api/sessions?pageSize=50&page=100',
  '/api/audit?pageSize=50&page=100',
  '/api/stations?pageSize=50&page=10',
  '/api/sessions/live',
];

const dir = mkdtempSync(join(tmpdir(), 'epnbox-list-profile-'));
const dataDir = join(dir, 'data');
mkdirSync(dataDir, { recursive: true });
const dbFile = join(dataDir, 'epnbox.sqlite');
const kept = process.env.LIST_PROFILE_DB;
const PASSWORD = 'bench admin password';
const PROFILE_DIR = process.env.LIST_PROFILE_CPU;
const ALLOC_DIR = process.env.LIST_PROFILE_ALLOC;

try {
  if (kept && existsSync(kept)) copyFileSync(kept, dbFile);
  else {
    await seedBenchDatabase(dbFile, SIZES, Date.now());
    if (kept) copyFileSync(dbFile, kept);
  }
  const config = resolveConfig({ env: { EPNBOX_DATA_DIR: dataDir, EPNBOX_HTTP_PORT: '0', EPNBOX_HTTP_HOST: '127.0.0.1', EPNBOX_LOG_LEVEL: 'warn' } });
  const running = await startAppliance(config, { logger: false });
  try {
    const login = await running.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bench', password: PASSWORD } });
    const authorization = `Bearer ${(login.json() as { accessToken: string }).accessToken}`;
    const allocated: string[] = [];
    console.log('| endpoint | CPU ms/req | wall ms/req | body KiB |\n|---|---|---|---|');
    for (const url of PATHS.filter((p) => !ONLY || p.includes(ONLY))) {
      let bytes = 0;
      for (let i = 0; i < 10; i++) {
        const res = await running.app.inject({ method: 'GET', url, headers: { authorization } });
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        bytes = res.rawPayload.length;
      }
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const loop = async () => {
        for (let i = 0; i < N; i++) await running.app.inject({ method: 'GET', url, headers: { authorization } });
      };
      const name = url.replace(/[^a-z0-9]+/gi, '_');
      const sampled = await allocationSampled(ALLOC_DIR, name, () => profiled(PROFILE_DIR, name, loop));
      if (sampled !== undefined) allocated.push(`${url}: ~${(sampled / 1024 / N).toFixed(0)} KiB allocated per request`);
      const wall = (performance.now() - t0) / N;
      const cpu = process.cpuUsage(cpu0);
      console.log(`| ${url} | ${((cpu.user + cpu.system) / 1000 / N).toFixed(2)} | ${wall.toFixed(2)} | ${(bytes / 1024).toFixed(1)} |`);
    }
    if (allocated.length > 0) console.log(allocated.join('\n'));
  } finally {
    await running.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
