import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.ts';
import { macSuffix, normaliseMac } from './mac-address.ts';
import { normaliseAgentVersion, normaliseReason, normaliseStationIp, normaliseStationName } from './station-fields.ts';

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
}

const codeOf = (fn: () => unknown): string => errorOf(fn).code;

describe('normaliseMac', () => {
  it.each([
    ['52:54:00:ab:cd:ef', 'Linux / iPXE'],
    ['52-54-00-AB-CD-EF', 'Windows'],
    ['5254.00ab.cdef', 'Cisco'],
    ['525400ABCDEF', 'bare'],
    ['  52:54:00:Ab:cD:eF ', 'mixed case, spaces around'],
    ['52:54:0:ab:cd:ef', 'macOS arp, unpadded group'],
  ])('reads %s (%s)', (input) => {
    expect(normaliseMac(input)).toBe('52:54:00:ab:cd:ef');
  });

  it.each([
    ['52:54:00:ab:cd', 'five groups'],
    ['52:54:00-ab:cd:ef', 'mixed separators'],
    ['52:54:00:ab:cd:eg', 'not hex'],
    ['525400abcde', 'eleven digits'],
    ['', 'empty'],
    ['5254.00ab.cdef.0000', 'four Cisco groups'],
  ])('refuses %s (%s)', (input) => {
    expect(codeOf(() => normaliseMac(input))).toBe('STATION_MAC_INVALID');
  });

  it('refuses broadcast, multicast and all-zero addresses', () => {
    expect(codeOf(() => normaliseMac('FF-FF-FF-FF-FF-FF'))).toBe('STATION_MAC_NOT_UNICAST');
    expect(codeOf(() => normaliseMac('01:00:5e:00:00:fb'))).toBe('STATION_MAC_NOT_UNICAST');
    expect(codeOf(() => normaliseMac('33:33:00:00:00:01'))).toBe('STATION_MAC_NOT_UNICAST');
    expect(codeOf(() => normaliseMac('000000000000'))).toBe('STATION_MAC_INVALID');
  });

  it('names the value and the accepted forms in both languages', () => {
    const e = errorOf(() => normaliseMac('zz:zz'));
    expect(e.category).toBe('invalid');
    expect(e.fr).toContain('zz:zz');
    expect(e.fr).toContain('aabb.ccdd.eeff');
    expect(e.en).toContain('accepted forms');
    expect(e.fields[0]?.field).toBe('mac');
  });

  it('gives the NIC-specific suffix', () => {
    expect(macSuffix('52:54:00:ab:cd:ef')).toBe('abcdef');
  });
});

describe('station fields', () => {
  it('normalises names and refuses empty, too long or odd ones', () => {
    expect(normaliseStationName('  Poste   Médiathèque 3 ')).toBe('Poste Médiathèque 3');
    expect(codeOf(() => normaliseStationName('   '))).toBe('STATION_NAME_INVALID');
    expect(codeOf(() => normaliseStationName('x'.repeat(65)))).toBe('STATION_NAME_INVALID');
    expect(codeOf(() => normaliseStationName('<script>'))).toBe('STATION_NAME_INVALID');
    expect(codeOf(() => normaliseStationName('-poste'))).toBe('STATION_NAME_INVALID');
  });

  it('accepts host IPv4 addresses and blank as "none"', () => {
    expect(normaliseStationIp(' 192.168.10.21 ')).toBe('192.168.10.21');
    expect(normaliseStationIp('')).toBeNull();
    expect(normaliseStationIp(null)).toBeNull();
    expect(normaliseStationIp(undefined)).toBeNull();
  });

  it.each([
    ['192.168.1', 'STATION_IP_INVALID'],
    ['192.168.001.2', 'STATION_IP_INVALID'],
    ['256.1.1.1', 'STATION_IP_INVALID'],
    ['fe80::1', 'STATION_IP_INVALID'],
    ['0.0.0.0', 'STATION_IP_NOT_HOST'],
    ['127.0.0.1', 'STATION_IP_NOT_HOST'],
    ['224.0.0.251', 'STATION_IP_NOT_HOST'],
    ['255.255.255.255', 'STATION_IP_NOT_HOST'],
  ])('refuses IP %s', (ip, code) => {
    expect(codeOf(() => normaliseStationIp(ip))).toBe(code);
  });

  it('requires a reason only where asked, and bounds it', () => {
    expect(normaliseReason('  écran cassé ', true)).toBe('écran cassé');
    expect(normaliseReason('  ', false)).toBeNull();
    expect(codeOf(() => normaliseReason(' ', true))).toBe('STATION_REASON_REQUIRED');
    expect(codeOf(() => normaliseReason('x'.repeat(501), true))).toBe('STATION_REASON_TOO_LONG');
  });

  it('checks agent versions', () => {
    expect(normaliseAgentVersion('1.4.2+deb13')).toBe('1.4.2+deb13');
    expect(codeOf(() => normaliseAgentVersion('1.0 beta'))).toBe('STATION_AGENT_VERSION_INVALID');
    expect(codeOf(() => normaliseAgentVersion(''))).toBe('STATION_AGENT_VERSION_INVALID');
  });
});
