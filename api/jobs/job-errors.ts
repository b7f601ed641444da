import { DomainError } from '../shared/errors.ts';

export function jobNotFound(name: string): DomainError {
  return new DomainError('JOB_NOT_FOUND', 'not_found', { fr: `Tâche planifiée inconnue (${name}).`, en: `Unknown scheduled job (${name}).` }, { details: { name } });
}

export function jobAlreadyRunning(name: string, startedAt: number): DomainError {
  return new DomainError(
    'JOB_ALREADY_RUNNING',
    'conflict',
    { fr: `La tâche ${name} est déjà en cours ; attendez qu’elle se termine.`, en: `Job ${name} is already running; wait for it to finish.` },
    { details: { name, startedAt: new Date(startedAt).toISOString() } },
  );
}

export function jobsUnavailable(): DomainError {
  return new DomainError('JOBS_UNAVAILABLE', 'unavailable', {
    fr: 'Le planificateur de tâches ne tourne pas dans ce processus.',
    en: 'The job scheduler is not running in this process.',
  });
}
