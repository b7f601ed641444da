import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PageQuery } from '../../contract/common.ts';
import { JobNameParams, JobPage, JobRun, jobRunToWire, jobToWire } from '../../contract/jobs.ts';
import { Problem } from '../../contract/problem.ts';
import type { JobsControl } from '../../jobs/jobs-control.ts';
import { listJobs, runJobNow } from '../../jobs/jobs-service.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 503: Problem };
const tags = ['jobs'];

/** The scheduled jobs (the seed's Celery beat schedule): their state, and a "run now" for admins. */
export const jobRoutes: FastifyPluginAsyncTypebox<{ jobs: JobsControl }> = async (app, { jobs }) => {
  app.get('/api/jobs', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Scheduled jobs: schedule, next run, last run and last error (seed: Celery beat schedule)',
      querystring: PageQuery,
      response: { 200: JobPage, ...errors },
    },
  }, async (request) => {
    const page = await listJobs(jobs, request.query);
    return { ...page, items: page.items.map(jobToWire) };
  });

  app.post('/api/jobs/:name/run', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Run one job now and wait for its outcome (a failed run answers 200 with ok: false and its error)',
      params: JobNameParams,
      response: { 200: JobRun, 404: Problem, 409: Problem, ...errors },
    },
  }, async (request) => jobRunToWire(await runJobNow(jobs, request.params.name, actorOf(request))));
};
