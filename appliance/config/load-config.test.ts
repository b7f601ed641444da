import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, configLeaves, loadConfig, resolveConfig } from './load-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'epnbox-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('configuration', () => {
  it('starts on embedded defaults with no file and no environment', () => {
    const c = resolveConfig({});
    expect(c).toMatchObject({
      dataDir: './data',
      http: { host: '127.0.0.1', port: 8080 },
      timeZone: 'Indian/Reunion',
      locale: 'fr-FR',
      sessions: { dailyQuota: 3, codeLength: 8, unusedCodeExpiryHours: 24 },
      stations: { heartbeatTimeoutSeconds: 30 },
      retention: { connectionRecordsDays: 365 },
      netboot: { enabled: false },
    });
  });

  it('layers file then environment over the defaults', () => {
    const path = file('ok.json', JSON.stringify({ http: { port: 9000 }, sessions: { dailyQuota: 5 } }));
    const c = loadConfig({ EPNBOX_CONFIG: path, EPNBOX_SESSIONS_DAILY_QUOTA: '4', EPNBOX_STATIONS_AUTO_APPROVE: 'yes' });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(c.sessions.dailyQuota).toBe(4);
    expect(c.stations.autoApprove).toBe(true);
  });

  it('names every key with its environment variable', () => {
    const names = configLeaves().map((l) => l.envName);
    expect(names).toContain('EPNBOX_SESSIONS_DAILY_QUOTA');
    expect(names).toContain('EPNBOX_RETENTION_CONNECTION_RECORDS_DAYS');
    expect(names).toContain('EPNBOX_DATA_DIR');
  });

  it.each([
    [{ EPNBOX_HTTP_PORT: 'eighty' }, 'config: invalid value for http.port (from EPNBOX_HTTP_PORT): "eighty"; expected an integer from 0 to 65535'],
    [{ EPNBOX_SESSIONS_DAILY_QUOTA: '0' }, 'config: invalid value for sessions.dailyQuota (from EPNBOX_SESSIONS_DAILY_QUOTA): 0; expected an integer from 1 to 50'],
    [{ EPNBOX_NETBOOT_ENABLED: 'peut-être' }, 'config: invalid value for netboot.enabled (from EPNBOX_NETBOOT_ENABLED): "peut-être"; expected true or false'],
    [{ EPNBOX_TIME_ZONE: 'Indian/Atlantis' }, 'config: invalid value for timeZone (from EPNBOX_TIME_ZONE): "Indian/Atlantis"; expected an IANA time zone such as "Indian/Reunion"'],
    [{ EPNBOX_LOG_LEVEL: 'loud' }, 'config: invalid value for log.level (from EPNBOX_LOG_LEVEL): "loud"; expected one of "fatal", "error", "warn", "info", "debug", "trace"'],
    [{ EPNBOX_HTTP_PROT: '1' }, 'config: unknown environment variable EPNBOX_HTTP_PROT; see docs/configuration.md for the list'],
  ])('refuses %o with one clear line', (env, message) => {
    expect(() => resolveConfig({ env })).toThrow(new ConfigError(message));
  });

  it('names the file when a file value is wrong, and refuses unknown keys', () => {
    const bad = file('bad.json', JSON.stringify({ stations: { heartbeatTimeoutSeconds: 1 } }));
    expect(() => loadConfig({ EPNBOX_CONFIG: bad })).toThrow(
      `config: invalid value for stations.heartbeatTimeoutSeconds (from ${bad}): 1; expected an integer from 5 to 3600`,
    );
    const typo = file('typo.json', JSON.stringify({ http: { prot: 80 } }));
    expect(() => loadConfig({ EPNBOX_CONFIG: typo })).toThrow(`config: unknown key http.prot in ${typo}`);
  });

  it('refuses a missing file, broken JSON and a non-object', () => {
    expect(() => loadConfig({ EPNBOX_CONFIG: join(dir, 'nope.json') })).toThrow(/cannot read .*nope.json: ENOENT/);
    expect(() => loadConfig({ EPNBOX_CONFIG: file('broken.json', '{ "http": ') })).toThrow(/is not valid JSON/);
    expect(() => loadConfig({ EPNBOX_CONFIG: file('list.json', '[1]') })).toThrow(/must hold a JSON object/);
  });
});

describe('docs/configuration.md', () => {
  it('documents every key and its environment variable', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    for (const leaf of configLeaves()) {
      expect(doc, leaf.envName).toContain(`| \`${leaf.path.join('.')}\` | \`${leaf.envName}\` |`);
    }
  });
});
