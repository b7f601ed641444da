import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function statusMiB(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return line ? Math.round(Number(line.split(/\s+/)[1]) / 102.4) / 10 : NaN;
}

/** Resident memory of a process, in MiB, from /proc. */
export function rssMiB(pid: number): number {
  return statusMiB(pid, 'VmRSS');
}

/** The highest resident memory the process has had so far (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  return statusMiB(pid, 'VmHWM');
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let built = false;

/**
 * Compiles the appliance once per bench run (`npm run build` -> dist/), as a
 * box in production runs it: the tsx loader costs ~50 MiB of RSS (its own
 * thread and V8 isolate, transformed sources kept) that a compiled box does not pay.
 */
function buildOnce(): void {
  // BENCH_NO_BUILD=1 reuses dist/ as it is (repeated runs of an unchanged tree).
  if (built || process.env.BENCH_NO_BUILD === '1') return;
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
}

/** Node flags the production start uses (package.json "start:built"), so the benches measure the same process. */
export function productionNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  return pkg.scripts['start:built']!.split(/\s+/).filter((arg) => arg.startsWith('--'));
}

/**
 * Flags the benches start the appliance with: the production ones plus BENCH_NODE_FLAGS;
 * BENCH_START_FLAGS (even empty) replaces the production ones, to compare candidates.
 */
export function benchNodeFlags(): string[] {
  const words = (text: string | undefined) => (text ?? '').split(/\s+/).filter(Boolean);
  const start = process.env.BENCH_START_FLAGS !== undefined ? words(process.env.BENCH_START_FLAGS) : productionNodeFlags();
  return [...start, ...words(process.env.BENCH_NODE_FLAGS)];
}

/**
 * Starts an entry point in its own process; stop() ends it by PID. The
 * appliance's own code (appliance/, api/) runs compiled from dist/ with the
 * production flags (BENCH_TSX=1 runs it through tsx instead, to compare);
 * other scripts run through tsx. See benchNodeFlags for the flags.
 */
export function startNode(entry: string, env: Record<string, string>): { child: ChildProcess; stop: () => Promise<void> } {
  const compiled = /^(appliance|api)\//.test(entry) && process.env.BENCH_TSX !== '1';
  // BENCH_DIST names a frozen copy of dist/ (with node_modules reachable from it), so that
  // A/B runs of start flags compare the same code while the tree changes. The seed still runs
  // from the tree: its migrations must match the copy's (else run from a `git archive` copy).
  const dist = process.env.BENCH_DIST ?? 'dist';
  if (compiled && dist === 'dist') buildOnce();
  const args = compiled ? [...benchNodeFlags(), join(dist, entry.replace(/\.ts$/, '.js'))] : ['--import', 'tsx', entry];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return {
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
