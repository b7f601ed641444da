import { auditArchiveJob } from './audit-archive-job.ts';
import { dailyReportJob } from './daily-report-job.ts';
import { expireCodesJob } from './expire-codes-job.ts';
import type { JobDefinition, JobName } from './job-types.ts';
import { purgeJob } from './purge-job.ts';
import { silentStationsJob } from './silent-stations-job.ts';

/** Every scheduled job, in the order the admin panel lists them. */
export const JOB_CATALOG: Record<JobName, JobDefinition> = {
  expireCodes: {
    name: 'expireCodes',
    description: {
      fr: 'Expire les codes non utilisés et termine toute session dont l’échéance est passée (filet de sécurité).',
      en: 'Expires unused codes and ends any session past its deadline (safety net).',
    },
    run: (deps) => expireCodesJob(deps),
  },
  silentStations: {
    name: 'silentStations',
    description: { fr: 'Passe hors ligne les postes silencieux (filet de sécurité).', en: 'Marks silent stations offline (safety sweep).' },
    run: (deps) => silentStationsJob(deps),
  },
  sessionsReport: {
    name: 'sessionsReport',
    description: { fr: 'Rapport quotidien des sessions de la veille.', en: 'Daily report of the previous day’s sessions.' },
    run: (deps) => dailyReportJob('sessions', deps),
  },
  auditReport: {
    name: 'auditReport',
    description: { fr: 'Rapport quotidien du journal d’audit de la veille.', en: 'Daily report of the previous day’s audit trail.' },
    run: (deps) => dailyReportJob('audit', deps),
  },
  purge: {
    name: 'purge',
    description: {
      fr: 'Supprime les données de connexion, connexions d’opérateurs et rapports au-delà de leur durée de conservation.',
      en: 'Deletes connection records, operator logins and reports past their retention.',
    },
    run: (deps) => purgeJob(deps),
  },
  auditArchive: {
    name: 'auditArchive',
    description: {
      fr: 'Archive les anciens événements d’audit dans un fichier compressé vérifié (chaîne de hachage conservée).',
      en: 'Moves old audit events to a verified compressed file (hash chain kept).',
    },
    run: (deps) => auditArchiveJob(deps),
  },
};
