import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DhcpLab } from './dhcp-lab.ts';

/** A client script that only writes its environment to a file: the host is never touched. */
async function envScript(lab: DhcpLab, name: string): Promise<{ script: string; out: string }> {
  const out = join(lab.dir, `${name}.env`);
  const script = join(lab.dir, `${name}.sh`);
  await writeFile(script, `#!/bin/sh\n[ "$1" = bound ] || [ -n "$reason" ] || exit 0\nenv > "${out}.tmp"\nmv "${out}.tmp" "${out}"\n`);
  await chmod(script, 0o755);
  await rm(out, { force: true });
  return { script, out };
}

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1).replace(/^'(.*)'$/, '$1');
  }
  return env;
}

/**
 * Runs `busybox udhcpc` once (-q: quit after the lease, -n: fail if none) in a
 * namespace; returns the environment its script saw on `bound`.
 */
export async function udhcpcLease(lab: DhcpLab, ns: string, extraArgs: string[], opts: { tries?: number } = {}): Promise<Record<string, string>> {
  const { script, out } = await envScript(lab, `udhcpc-${ns}`);
  const args = ['udhcpc', '-i', 'eth0', '-f', '-q', '-n', '-t', String(opts.tries ?? 4), '-T', '1', '-A', '1', '-s', script, ...extraArgs];
  try {
    await lab.lab.exec(ns, 'busybox', args);
  } catch (err) {
    throw new Error(`udhcpc got no lease: ${(err as Error).message}`);
  }
  return parseEnv(await readFile(out, 'utf8'));
}

/**
 * Runs ISC `dhclient -d -1` with its own config, lease file and script, waits for the
 * BOUND call of the script, stops it, and returns that environment.
 */
export async function dhclientLease(lab: DhcpLab, ns: string): Promise<Record<string, string>> {
  const { script, out } = await envScript(lab, `dhclient-${ns}`);
  const conf = join(lab.dir, 'dhclient.conf');
  await writeFile(conf, 'timeout 20;\nretry 5;\nrequest subnet-mask, broadcast-address, routers, domain-name, domain-name-servers, host-name;\n');
  const child = lab.lab.spawn(ns, 'dhclient', ['-d', '-1', '-v', '-cf', conf, '-sf', script, '-lf', join(lab.dir, 'dhclient.leases'), '-pf', join(lab.dir, 'dhclient.pid'), 'eth0']);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const deadline = Date.now() + 25_000;
    while (Date.now() < deadline) {
      const env = await readFile(out, 'utf8').then(parseEnv, () => undefined);
      if (env?.reason === 'BOUND') return env;
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`dhclient got no lease: ${stderr.slice(-800)}`);
  } finally {
    await lab.lab.stop(child);
  }
}
