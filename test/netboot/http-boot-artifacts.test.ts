import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../support/require-tool.ts';
import { createBootApp, type BootApp } from './http-boot-support/boot-app.ts';

const execFileAsync = promisify(execFile);

/**
 * The artifact route against Debian's curl on a real socket (127.0.0.1 only):
 * full downloads checked against the manifest's SHA-256, byte ranges, resumes,
 * conditional requests, HEAD, and paths that must never leave the catalogue.
 */
let h: BootApp;
let base: string;
let curl: string;
let work: string;
const squashfs = randomBytes(3 * 1024 * 1024 + 123);
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  curl = requireTools('curl').curl!;
  work = mkdtempSync(join(tmpdir(), 'epnbox-curl-'));
  h = await createBootApp();
  await h.image('debian-kiosk', '1.0', { files: { vmlinuz: randomBytes(70_001), 'initrd.img': randomBytes(50_000), 'filesystem.squashfs': squashfs } });
  await h.image('debian-kiosk', '2.0', { seal: false });
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await h?.close();
  rmSync(work, { recursive: true, force: true });
});

interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Body bytes curl received (with -I, curl writes the headers to the output file instead). */
  downloaded: number;
}

let seq = 0;
async function get(path: string, ...args: string[]): Promise<CurlResult> {
  const n = ++seq;
  const out = join(work, `body-${n}`);
  const head = join(work, `head-${n}`);
  const { stdout } = await execFileAsync(curl, ['-sS', '--max-time', '30', '-o', out, '-D', head, '-w', '%{http_code} %{size_download}', ...args, `${base}${path}`]);
  const blocks = readFileSync(head, 'utf8').trim().split(/\r\n\r\n/);
  const headers = Object.fromEntries(blocks.at(-1)!.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  let body = Buffer.alloc(0);
  try {
    body = readFileSync(out);
  } catch {
    // no body written (HEAD, 304)
  }
  const [status, downloaded] = stdout.split(' ').map(Number);
  return { status: status!, headers, body, downloaded: downloaded! };
}

const FILE = '/boot/images/debian-kiosk/1.0/filesystem.squashfs';

describe('GET /boot/images/<name>/<version>/<file> with curl', () => {
  it('serves the manifest, and every file it lists with the SHA-256 it records', async () => {
    const manifest = await get('/boot/images/debian-kiosk/1.0/manifest.json');
    expect(manifest.status).toBe(200);
    expect(manifest.headers['content-type']).toBe('application/json');
    const files = JSON.parse(manifest.body.toString()).files as Record<string, { size: number; sha256: string }>;
    expect(Object.keys(files).sort()).toEqual(['filesystem.squashfs', 'initrd.img', 'vmlinuz']);
    for (const [file, expected] of Object.entries(files)) {
      const res = await get(`/boot/images/debian-kiosk/1.0/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-length']).toBe(String(expected.size));
      expect(res.headers['etag']).toBe(`"sha256-${expected.sha256}"`);
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(sha(res.body)).toBe(expected.sha256);
    }
  });

  it('answers curl -r with 206 and exactly the bytes asked for', async () => {
    const size = squashfs.length;
    for (const [range, start, end] of [['0-99', 0, 99], ['-100', size - 100, size - 1], ['1000000-', 1_000_000, size - 1], ['5-5', 5, 5]] as const) {
      const res = await get(FILE, '-r', range);
      expect(res.status, range).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${size}`);
      expect(res.headers['content-length']).toBe(String(end - start + 1));
      expect(res.body.equals(squashfs.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('answers several ranges as multipart/byteranges', async () => {
    const res = await get(FILE, '-r', '0-9,100-109,-5');
    expect(res.status).toBe(206);
    const boundary = /boundary=(\S+)/.exec(res.headers['content-type']!)![1]!;
    expect(res.headers['content-length']).toBe(String(res.body.length));
    const text = res.body.toString('latin1');
    const parts = text.split(`--${boundary}`).slice(1, -1).map((p) => {
      const [head, data] = p.replace(/^\r\n/, '').split('\r\n\r\n');
      return { range: /Content-Range: (.*)/.exec(head!)![1], data: Buffer.from(data!.replace(/\r\n$/, ''), 'latin1') };
    });
    const size = squashfs.length;
    expect(parts.map((p) => p.range)).toEqual([`bytes 0-9/${size}`, `bytes 100-109/${size}`, `bytes ${size - 5}-${size - 1}/${size}`]);
    expect(parts[1]!.data.equals(squashfs.subarray(100, 110))).toBe(true);
    expect(parts[2]!.data.equals(squashfs.subarray(size - 5))).toBe(true);
  });

  it('answers 416 with the size for a range past the end', async () => {
    const res = await get(FILE, '-r', `${squashfs.length}-`);
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${squashfs.length}`);
  });

  it('resumes an interrupted download (curl -C -) to the right SHA-256', async () => {
    const partial = join(work, 'partial.squashfs');
    writeFileSync(partial, squashfs.subarray(0, 1_234_567));
    await execFileAsync(curl, ['-sS', '--max-time', '30', '-C', '-', '-o', partial, `${base}${FILE}`]);
    expect(sha(readFileSync(partial))).toBe(sha(squashfs));
  });

  it('honours If-None-Match (304), If-Modified-Since and If-Range', async () => {
    const { headers } = await get(FILE, '-I');
    expect(headers['content-length']).toBe(String(squashfs.length));
    const etag = headers['etag']!;
    const notModified = await get(FILE, '-H', `If-None-Match: ${etag}`);
    expect(notModified.status).toBe(304);
    expect(notModified.downloaded).toBe(0);
    expect((await get(FILE, '-H', `If-Modified-Since: ${headers['last-modified']}`)).status).toBe(304);
    expect((await get(FILE, '-r', '0-9', '-H', `If-Range: ${etag}`)).status).toBe(206);
    const stale = await get(FILE, '-r', '0-9', '-H', 'If-Range: "sha256-old"');
    expect(stale.status).toBe(200);
    expect(stale.body.length).toBe(squashfs.length);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const res = await get(FILE, '-I');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(squashfs.length));
    expect(res.headers['etag']).toMatch(/^"sha256-[0-9a-f]{64}"$/);
    expect(res.downloaded).toBe(0);
  });

  it('serves four downloads at once, each complete', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => get(FILE)));
    for (const res of results) expect(sha(res.body)).toBe(sha(squashfs));
  });

  it('never leaves the catalogue: traversal, encoded slashes, symlinks, unlisted and unsealed files', async () => {
    const dir = join(h.imagesDir, 'debian-kiosk', '1.0');
    symlinkSync('/etc/passwd', join(dir, 'passwd'));
    writeFileSync(join(dir, 'extra.bin'), 'not in the manifest');
    for (const path of [
      '/boot/images/../../../../etc/passwd',
      '/boot/images/debian-kiosk/1.0/../../../../../etc/passwd',
      '/boot/images/debian-kiosk/1.0/passwd',
      '/boot/images/debian-kiosk/1.0/extra.bin',
      '/boot/images/debian-kiosk/2.0/vmlinuz',
      '/boot/images/debian-kiosk/2.0/manifest.json',
      '/boot/images/debian-kiosk/9.9/vmlinuz',
    ]) {
      const res = await get(path, '--path-as-is');
      expect(res.status, path).toBe(404);
      expect(res.body.toString()).not.toContain('root:');
    }
    for (const path of ['/boot/images/debian-kiosk/1.0/..%2f..%2f..%2f..%2fetc%2fpasswd', '/boot/images/%2e%2e/1.0/vmlinuz', '/boot/images/debian-kiosk/1.0/%2fetc%2fpasswd']) {
      const res = await get(path, '--path-as-is');
      expect([400, 404], path).toContain(res.status);
      expect(res.body.toString()).not.toContain('root:');
    }
  });

  it('refuses (503) a file whose size no longer matches its manifest', async () => {
    await h.image('debian-kiosk', '3.0');
    truncateSync(join(h.imagesDir, 'debian-kiosk', '3.0', 'vmlinuz'), 3);
    const res = await get('/boot/images/debian-kiosk/3.0/vmlinuz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'BOOT_IMAGE_CHANGED' });
  });
});
