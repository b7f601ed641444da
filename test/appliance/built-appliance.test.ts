// The box in production runs compiled JavaScript (npm run build, then npm run start:built):
// this compiles the appliance as the build script does, into a temporary directory, starts
// it with the production flags and asks /api/health over a real socket.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> };
const dir = mkdtempSync(join(tmpdir(), 'epnbox-built-'));
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the URL main.js prints once it listens; rejects if it exits first. */
function listeningUrl(proc: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let out = '';
    let err = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /panel and API on (http:\/\/\S+)/.exec(out);
      if (match) resolveUrl(match[1]!);
    });
    proc.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.once('exit', (code) => reject(new Error(`built appliance exited (${code}) before listening: ${err}`)));
  });
}

describe('built appliance (dist/)', () => {
  it('has build and start:built scripts; npm start still runs the sources', () => {
    expect(pkg.scripts.build).toContain('tsc -p tsconfig.build.json');
    expect(pkg.scripts['start:built']).toMatch(/^node .*dist\/appliance\/main\.js$/);
    expect(pkg.scripts.start).toBe('tsx appliance/main.ts');
  });

  it('compiles to JavaScript with .js imports, starts with the production flags and answers /api/health', { timeout: 180_000 }, async () => {
    const out = join(dir, 'dist');
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { cwd: root });
    // What the build script adds: package.json beside the code (the version is read from it), and the dependencies.
    copyFileSync(join(root, 'package.json'), join(out, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    expect(existsSync(join(out, 'appliance/main.js'))).toBe(true);
    expect(existsSync(join(out, 'api/realtime/realtime.test.js'))).toBe(false);
    expect(readFileSync(join(out, 'appliance/main.js'), 'utf8')).toContain('from "./start-appliance.js"');

    const flags = pkg.scripts['start:built']!.split(/\s+/).filter((a) => a.startsWith('--'));
    child = spawn(process.execPath, [...flags, join(out, 'appliance/main.js')], {
      env: { ...process.env, EPNBOX_DATA_DIR: join(dir, 'data'), EPNBOX_HTTP_PORT: '0', EPNBOX_HTTP_HOST: '127.0.0.1', EPNBOX_LOG_LEVEL: 'warn', EPNBOX_DATABASE_LIST_WORKER: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await listeningUrl(child);
    const res = await fetch(`${url}/api/health`);
    expect(res.status).toBe(200);
    // listReads: the list worker's compiled entry (api/lists/list-worker.js) started without a TypeScript loader.
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok', version: pkg.version, listReads: 'worker' });
  });
});
