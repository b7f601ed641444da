import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from '../contract/problem.ts';
import { DomainError, type ErrorCategory, type FieldIssue } from '../shared/errors.ts';

const STATUS: Record<ErrorCategory, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  throttled: 429,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemOf(status: number, code: string, fr: string, en: string, extra: Partial<Problem> = {}): Problem {
  return { type: `urn:epnbox:problem:${code}`, title: TITLES[status] ?? 'Error', status, code, detail: fr, detailEn: en, ...extra };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.status === 429 && typeof problem.details?.retryAfterSeconds === 'number') {
    void reply.header('retry-after', String(problem.details.retryAfterSeconds));
  }
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

function validationProblem(error: FastifyError): Problem {
  const fields: FieldIssue[] = (error.validation ?? []).map((v) => {
    const base = `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`;
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const field = missing ? `${base}.${missing}` : base;
    return { field, fr: `valeur refusée (${v.message ?? 'invalide'})`, en: v.message ?? 'invalid' };
  });
  return problemOf(400, 'VALIDATION_FAILED', 'Requête invalide : vérifiez les champs signalés.', 'Invalid request: check the fields listed.', { errors: fields });
}

/**
 * One error handler for the whole API. Domain errors keep their code; Fastify's
 * own 4xx become problems; anything else is a 500 whose body says nothing of
 * the cause, logged with the request id.
 */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const requestId = String(request.id);
    if (error instanceof DomainError) {
      const status = STATUS[error.category];
      if (status >= 500) request.log.error({ err: error.cause ?? error, code: error.code }, 'domain unavailable');
      return sendProblem(
        reply,
        problemOf(status, error.code, error.fr, error.en, {
          requestId,
          ...(error.fields.length ? { errors: error.fields } : {}),
          ...(Object.keys(error.details).length ? { details: error.details } : {}),
        }),
      );
    }
    if (error.validation) return sendProblem(reply, { ...validationProblem(error), requestId });
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = error.code ?? 'BAD_REQUEST';
      return sendProblem(reply, problemOf(status, code, frenchFor(status), error.message, { requestId }));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      problemOf(500, 'INTERNAL_ERROR', 'Erreur interne ; elle a été journalisée.', 'Internal error; it has been logged.', { requestId }),
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problemOf(404, 'ROUTE_NOT_FOUND', `Aucune ressource à ${request.method} ${request.url}.`, `No resource at ${request.method} ${request.url}.`, {
        requestId: String(request.id),
      }),
    ),
  );
}

function frenchFor(status: number): string {
  switch (status) {
    case 413:
      return 'Contenu trop volumineux.';
    case 415:
      return 'Type de contenu non pris en charge.';
    case 405:
      return 'Méthode non autorisée.';
    default:
      return 'Requête refusée.';
  }
}
