import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pattern, sha256 } from './tftp-support/tftp-fixture.ts';
import { curlFetch } from './tftp-support/real-clients.ts';

/*
 * The production start runs the appliance compiled (`npm run build`, plain
 * node, no TypeScript loader). The transfer workers must start there too: a
 * missing worker entry in dist/ silently left every transfer in the server's
 * thread. This compiles the TFTP module alone the way the build does, and runs
 * it in a plain node process.
 */

const repo = path.resolve(import.meta.dirname, '../..');
let base = '';

beforeAll(async () => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), 'epnbox-tftp-built-')));
  const config = {
    extends: path.join(repo, 'tsconfig.build.json'),
    compilerOptions: { outDir: path.join(base, 'dist'), rootDir: repo, types: ['node'], typeRoots: [path.join(repo, 'node_modules/@types')] },
    include: [],
    files: [path.join(repo, 'appliance/netboot/tftp/tftp-server.ts'), path.join(repo, 'appliance/netboot/tftp/transfer-worker.ts')],
  };
  writeFileSync(path.join(base, 'tsconfig.json'), JSON.stringify(config));
  await promisify(execFile)(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', path.join(base, 'tsconfig.json')], { timeout: 120_000 });
  // As `npm run build` copies package.json: the emitted .js files are ES modules.
  writeFileSync(path.join(base, 'dist', 'package.json'), '{"type":"module"}');
  // dist/ beside node_modules, as in production: the native addons (@epnbox/datagram) load from there.
  symlinkSync(path.join(repo, 'node_modules'), path.join(base, 'node_modules'));
  writeFileSync(path.join(base, 'f70000'), pattern(70_000, 7));
}, 150_000);

afterAll(() => {
  if (base !== '') rmSync(base, { recursive: true, force: true });
});

/** Plain node (no tsx), the compiled server on 127.0.0.1, two workers; prints its port and thread count. */
const serveScript = `
const { TftpServer } = await import(process.argv[2]);
const server = new TftpServer({ root: process.argv[3], host: '127.0.0.1', port: 0, workers: 2, logger: { debug() {}, info() {}, warn: (o, m) => process.stderr.write(m + ' ' + JSON.stringify(o) + '\\n') } });
const { port } = await server.listen();
process.stdout.write(JSON.stringify({ port, threads: server.workerThreads }) + '\\n');
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
process.stdin.resume();
`;

describe('the compiled TFTP server', () => {
  it('starts its transfer workers without a TypeScript loader and serves through them', async () => {
    const entry = path.join(base, 'dist/appliance/netboot/tftp/tftp-server.js');
    // A file, not `-e`: worker threads inherit the process's flags (--input-type among them).
    writeFileSync(path.join(base, 'serve.mjs'), serveScript);
    const child = spawn(process.execPath, [path.join(base, 'serve.mjs'), entry, base], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
      });
      const { port, threads } = JSON.parse(line) as { port: number; threads: number };
      expect(threads, stderr).toBe(2);
      const run = await curlFetch(port, 'f70000', { blockSize: 1468 });
      expect(run.code, run.output).toBe(0);
      expect(sha256(run.data as Buffer)).toBe(sha256(pattern(70_000, 7)));
      expect(stderr).toBe('');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
