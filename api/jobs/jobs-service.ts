import type { Actor } from '../audit/audit-actions.ts';
import { clampPage, toPage, type Page, type PageRequest } from '../shared/pagination.ts';
import { jobNotFound } from './job-errors.ts';
import type { JobRunOutcome } from './job-runs-repository.ts';
import { isJobName } from './job-types.ts';
import type { JobsControl, JobStatus } from './jobs-control.ts';

/** The jobs in catalog order, one page (there are few; the envelope is the one every list uses). */
export async function listJobs(jobs: JobsControl, request: PageRequest = {}): Promise<Page<JobStatus>> {
  const page = clampPage(request);
  const all = await jobs.statuses();
  return toPage(all.slice(page.offset, page.offset + page.limit), all.length, page);
}

/** Runs one job now on behalf of `actor`; JOB_NOT_FOUND for a name not in the catalog. */
export async function runJobNow(jobs: JobsControl, name: string, actor: Actor): Promise<JobRunOutcome> {
  if (!isJobName(name)) throw jobNotFound(name);
  return jobs.runNow(name, actor);
}
