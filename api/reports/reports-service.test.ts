import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeJobKit, reunion, type JobKit } from '../jobs/jobs-test-kit.ts';
import { CSV_BOM } from '../shared/csv.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import { localDay } from './report-days.ts';
import { generateDailyReport, getReport, getReportCsv, listReports } from './reports-service.ts';

describe('reports service', () => {
  let kit: JobKit;
  beforeEach(async () => {
    kit = await makeJobKit(reunion('2026-03-05T06:00'));
    for (const day of ['2026-03-01', '2026-03-02', '2026-03-03']) {
      await generateDailyReport(kit.ctx, 'sessions', localDay(day, 'Indian/Reunion'));
      await generateDailyReport(kit.ctx, 'audit', localDay(day, 'Indian/Reunion'));
    }
  });
  afterEach(async () => {
    await kit.cleanup();
  });

  it('lists the latest day first, filtered by kind and by local days (both included)', async () => {
    const all = await listReports(kit.ctx);
    expect(all.total).toBe(6);
    expect(all.items.map((r) => `${r.day}/${r.kind}`)).toEqual([
      '2026-03-03/audit',
      '2026-03-03/sessions',
      '2026-03-02/audit',
      '2026-03-02/sessions',
      '2026-03-01/audit',
      '2026-03-01/sessions',
    ]);
    const some = await listReports(kit.ctx, { kind: 'sessions', from: '2026-03-02', to: '2026-03-03', order: 'asc', pageSize: 1, page: 2 });
    expect(some).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(some.items.map((r) => r.day)).toEqual(['2026-03-03']);
  });

  it('refuses bad days, an empty period and a bad page, and answers 404 for an unknown report', async () => {
    await expect(listReports(kit.ctx, { from: '2026-02-31' })).rejects.toMatchObject({ code: 'REPORT_DAY_INVALID', fields: [{ field: 'from' }] });
    await expect(listReports(kit.ctx, { from: '2026-03-03', to: '2026-03-01' })).rejects.toMatchObject({ code: 'REPORT_PERIOD_INVALID' });
    await expect(listReports(kit.ctx, { pageSize: 500 })).rejects.toMatchObject({ code: 'PAGE_SIZE_INVALID' });
    await expect(getReport(kit.ctx, 99)).rejects.toMatchObject({ code: 'REPORT_NOT_FOUND', category: 'not_found' });
  });

  it('exports a report as CSV: one row per hour and a total', async () => {
    const { fileName, csv } = await getReportCsv(kit.ctx, 1);
    expect(fileName).toBe('epnbox-sessions-report-2026-03-01.csv');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(`${CSV_BOM}date,hour,sessions_started,minutes_used,visitors`);
    expect(lines[1]).toBe('2026-03-01,0,0,0,0');
    expect(lines[25]).toBe('2026-03-01,total,0,0,0');
    expect(lines).toHaveLength(27);
    const audit = await getReportCsv(kit.ctx, 2);
    expect(audit.csv.split('\r\n')[0]).toBe(`${CSV_BOM}date,hour,events,errors`);
  });

  it('reports a storage failure as a domain error', async () => {
    const broken = { db: createBrokenDb() };
    await expect(listReports(broken)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    await expect(getReport(broken, 1)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});
