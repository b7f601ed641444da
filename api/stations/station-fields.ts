import { isIPv4 } from 'node:net';
import { DomainError } from '../shared/errors.ts';

function fieldError(code: string, field: string, value: unknown, fr: string, en: string): DomainError {
  return new DomainError(code, 'invalid', { fr, en }, { fields: [{ field, fr, en }], details: { value } });
}

export const MAX_NAME_LENGTH = 64;
// Letters (any script), digits, space, dot, dash, underscore; starts with a letter or digit.
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u;

/** Trims and collapses inner spaces; throws STATION_NAME_INVALID. */
export function normaliseStationName(input: string): string {
  const name = String(input).trim().replace(/\s+/g, ' ');
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME.test(name)) {
    throw fieldError(
      'STATION_NAME_INVALID',
      'name',
      input,
      `Nom de poste invalide « ${name} » : 1 à ${MAX_NAME_LENGTH} caractères, lettres, chiffres, espace, . _ -`,
      `Invalid station name "${name}": 1 to ${MAX_NAME_LENGTH} characters, letters, digits, space, . _ -`,
    );
  }
  return name;
}

/**
 * A station's IPv4 address, or null when none is known (blank clears it).
 * Only host addresses: not 0.0.0.0/8 ("this network", RFC 1122 §3.2.1.3),
 * loopback 127/8, multicast 224/4 (RFC 5771) or reserved 240/4 with the
 * limited broadcast (RFC 919).
 */
export function normaliseStationIp(input: string | null | undefined): string | null {
  if (input === null || input === undefined || String(input).trim() === '') return null;
  const ip = String(input).trim();
  if (!isIPv4(ip)) {
    throw fieldError('STATION_IP_INVALID', 'ip', ip, `Adresse IPv4 invalide « ${ip} » (attendu : 192.168.1.20).`, `Invalid IPv4 address "${ip}" (expected e.g. 192.168.1.20).`);
  }
  const first = Number(ip.split('.')[0]);
  if (first === 0 || first === 127 || first >= 224) {
    throw fieldError('STATION_IP_NOT_HOST', 'ip', ip, `${ip} n'est pas une adresse de poste (réseau, boucle locale, multicast ou diffusion).`, `${ip} is not a station address (network, loopback, multicast or broadcast).`);
  }
  return ip;
}

export const MAX_REASON_LENGTH = 500;

/** A reason an operator types; required when `required`, null when blank otherwise. */
export function normaliseReason(input: string | null | undefined, required: boolean): string | null {
  const reason = (input ?? '').trim();
  if (reason.length === 0) {
    if (!required) return null;
    throw fieldError('STATION_REASON_REQUIRED', 'reason', input ?? null, 'Indiquez un motif (par ex. « écran cassé »).', 'Give a reason (e.g. "broken screen").');
  }
  if (reason.length > MAX_REASON_LENGTH) {
    throw fieldError('STATION_REASON_TOO_LONG', 'reason', `${reason.slice(0, 40)}…`, `Motif trop long (${MAX_REASON_LENGTH} caractères au plus).`, `Reason too long (at most ${MAX_REASON_LENGTH} characters).`);
  }
  return reason;
}

const AGENT_VERSION = /^[\x21-\x7e]{1,64}$/;

/** The agent's self-reported version: printable ASCII without spaces, 1–64 chars. */
export function normaliseAgentVersion(input: string): string {
  const version = String(input).trim();
  if (!AGENT_VERSION.test(version)) {
    throw fieldError('STATION_AGENT_VERSION_INVALID', 'agentVersion', version.slice(0, 80), "Version d'agent invalide (1 à 64 caractères imprimables).", 'Invalid agent version (1 to 64 printable characters).');
  }
  return version;
}
