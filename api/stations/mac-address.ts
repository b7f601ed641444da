import { DomainError } from '../shared/errors.ts';

/**
 * MAC addresses arrive in every notation the tools of an EPN print: Linux and
 * iPXE `aa:bb:cc:dd:ee:ff`, Windows `AA-BB-CC-DD-EE-FF`, Cisco `aabb.ccdd.eeff`,
 * bare `aabbccddeeff`, macOS `arp` with unpadded groups `0:1b:...`. We store one
 * form (lower-case, colon separated) so uniqueness holds across notations.
 */
const SIX_GROUPS = /^([0-9a-f]{1,2})([:-])([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})$/i;
const THREE_GROUPS = /^([0-9a-f]{4})([.:-])([0-9a-f]{4})\2([0-9a-f]{4})$/i;
const BARE = /^[0-9a-f]{12}$/i;

const ACCEPTED_FR = 'aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff ou aabbccddeeff';
const ACCEPTED_EN = 'aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff or aabbccddeeff';

function macError(code: string, value: string, fr: string, en: string): DomainError {
  return new DomainError(code, 'invalid', { fr, en }, { fields: [{ field: 'mac', fr, en }], details: { value } });
}

function hexDigits(text: string): string | null {
  const six = SIX_GROUPS.exec(text);
  if (six !== null) return [1, 3, 4, 5, 6, 7].map((i) => six[i]!.padStart(2, '0')).join('');
  const three = THREE_GROUPS.exec(text);
  if (three !== null) return `${three[1]}${three[3]}${three[4]}`;
  return BARE.test(text) ? text : null;
}

/**
 * Normalises a MAC address to `aa:bb:cc:dd:ee:ff`, or throws a DomainError.
 * Only unicast station addresses are accepted: the group bit (I/G, least
 * significant bit of the first octet, IEEE 802-2014 §8.2) marks multicast,
 * and ff:ff:ff:ff:ff:ff (broadcast) and 00:00:00:00:00:00 are no NIC's address.
 * Locally administered addresses (QEMU's 52:54:00:…) are fine.
 */
export function normaliseMac(input: string): string {
  const text = String(input).trim();
  const digits = hexDigits(text)?.toLowerCase();
  if (digits === undefined) {
    throw macError('STATION_MAC_INVALID', text, `Adresse MAC illisible « ${text} » ; formats acceptés : ${ACCEPTED_FR}.`, `Unreadable MAC address "${text}"; accepted forms: ${ACCEPTED_EN}.`);
  }
  const mac = digits.match(/../g)!.join(':');
  if (mac === 'ff:ff:ff:ff:ff:ff') {
    throw macError('STATION_MAC_NOT_UNICAST', mac, `${mac} est l'adresse de diffusion (broadcast), pas celle d'un poste.`, `${mac} is the broadcast address, not a station's.`);
  }
  if ((parseInt(digits.slice(0, 2), 16) & 1) === 1) {
    throw macError('STATION_MAC_NOT_UNICAST', mac, `${mac} est une adresse multicast, pas celle d'une carte réseau.`, `${mac} is a multicast address, not a network card's.`);
  }
  if (/^0+$/.test(digits)) {
    throw macError('STATION_MAC_INVALID', mac, `${mac} (que des zéros) n'est l'adresse d'aucune carte réseau.`, `${mac} (all zeros) is no network card's address.`);
  }
  return mac;
}

/** The last three bytes without separators (the NIC-specific part): `ddeeff`. */
export function macSuffix(mac: string): string {
  return mac.slice(9).replaceAll(':', '');
}
