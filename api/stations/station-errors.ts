import { conflict, type DomainError } from '../shared/errors.ts';
import type { StationState } from './stations-table.ts';

export type UniqueField = 'name' | 'mac' | 'ip';

const FIELD_FR: Record<UniqueField, string> = { name: 'Le nom', mac: "L'adresse MAC", ip: "L'adresse IP" };
const FIELD_EN: Record<UniqueField, string> = { name: 'The name', mac: 'The MAC address', ip: 'The IP address' };

/** Another (not deleted) station already holds that name, MAC or IP. */
export function stationTaken(field: UniqueField, value: string, holder: { id: number; name: string }): DomainError {
  return conflict(
    `STATION_${field.toUpperCase()}_TAKEN`,
    `${FIELD_FR[field]} « ${value} » est déjà celle du poste « ${holder.name} » (n° ${holder.id}).`,
    `${FIELD_EN[field]} "${value}" already belongs to station "${holder.name}" (#${holder.id}).`,
    { field, value, stationId: holder.id },
  );
}

const ACTION_FR: Record<string, string> = {
  available: 'le remettre en service',
  maintenance: 'le mettre en maintenance',
  offline: 'le déclarer hors ligne',
  delete: 'le supprimer',
};

/** A session runs on the station: the operator must end it first. */
export function sessionRunning(stationId: number, sessionId: number, action: keyof typeof ACTION_FR): DomainError {
  return conflict(
    'STATION_SESSION_RUNNING',
    `Une session (n° ${sessionId}) est en cours sur ce poste : terminez-la avant de ${ACTION_FR[action]}.`,
    `A session (#${sessionId}) is running on this station: end it before ${action === 'delete' ? 'deleting the station' : `marking it ${action}`}.`,
    { stationId, sessionId, action },
  );
}

/** A pending station must be approved before anything else is done with it. */
export function stationPending(stationId: number): DomainError {
  return conflict(
    'STATION_PENDING_APPROVAL',
    "Ce poste attend d'être approuvé : approuvez-le d'abord.",
    'This station is awaiting approval: approve it first.',
    { stationId },
  );
}

export function stationNotPending(stationId: number, state: StationState): DomainError {
  return conflict(
    'STATION_NOT_PENDING',
    `Ce poste n'attend pas d'approbation (état : ${state}).`,
    `This station is not awaiting approval (state: ${state}).`,
    { stationId, state },
  );
}
