import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { normaliseMac } from '../../api/stations/mac-address.ts';
import type { AppConfig } from '../config/config-schema.ts';
import type { FullModeSettings } from './dhcp/full-settings.ts';

/** Settings netboot cannot start with; the message names the key and what to do. */
export class NetbootConfigError extends Error {
  override readonly name = 'NetbootConfigError';
}

export type NetbootConfig = AppConfig['netboot'];

/** Where the box is on the station LAN, learnt from the interface at start. */
export interface LanAddress {
  address: string;
  /** e.g. `10.0.0.1/24`. */
  cidr: string;
}

/** `a=b, c=d` → [[a, b], [c, d]]; empty text → []. */
function pairs(text: string, key: string): Array<[string, string]> {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const at = part.indexOf('=');
      if (at <= 0 || at === part.length - 1) throw new NetbootConfigError(`config: netboot.${key}: "${part}" is not mac=value`);
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    });
}

function mac(text: string, key: string): string {
  try {
    return normaliseMac(text);
  } catch {
    throw new NetbootConfigError(`config: netboot.${key}: "${text}" is not a MAC address`);
  }
}

/** `netboot.bootFileByMac` as a map keyed by normalised MAC. */
export function bootFileByMac(config: NetbootConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [m, file] of pairs(config.bootFileByMac, 'bootFileByMac')) {
    // TFTP paths are relative to the TFTP root; the TFTP server refuses `..` anyway.
    if (/[\s\0]/.test(file)) throw new NetbootConfigError(`config: netboot.bootFileByMac: "${file}" is not a file name`);
    out[mac(m, 'bootFileByMac')] = file;
  }
  return out;
}

/** `netboot.dhcp.replyDelayByMac` as a map of milliseconds keyed by normalised MAC. */
export function replyDelayByMac(config: NetbootConfig): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [m, ms] of pairs(config.dhcp.replyDelayByMac, 'dhcp.replyDelayByMac')) {
    const value = Number(ms);
    if (!/^\d+$/.test(ms) || value > 10_000) throw new NetbootConfigError(`config: netboot.dhcp.replyDelayByMac: "${ms}" is not a delay in ms from 0 to 10000`);
    out[mac(m, 'dhcp.replyDelayByMac')] = value;
  }
  return out;
}

function ipList(text: string, key: string): string[] | undefined {
  const list = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const bad = list.find((ip) => isIP(ip) !== 4);
  if (bad !== undefined) throw new NetbootConfigError(`config: netboot.dhcp.${key}: "${bad}" is not an IPv4 address`);
  return list.length > 0 ? list : undefined;
}

/** Full-mode pool on the interface's subnet, with the lease file under dataDir. */
export function fullModeSettings(config: NetbootConfig, lan: LanAddress, dataDir: string): FullModeSettings {
  const { dhcp } = config;
  if (isIP(dhcp.rangeStart) !== 4 || isIP(dhcp.rangeEnd) !== 4) {
    throw new NetbootConfigError('config: netboot.dhcp.mode is full: set netboot.dhcp.rangeStart and netboot.dhcp.rangeEnd (IPv4 addresses of the station LAN)');
  }
  const routers = ipList(dhcp.routers, 'routers');
  const dnsServers = ipList(dhcp.dnsServers, 'dnsServers');
  return {
    subnets: [{ cidr: lan.cidr, rangeStart: dhcp.rangeStart, rangeEnd: dhcp.rangeEnd, ...(routers ? { routers } : {}), ...(dnsServers ? { dnsServers } : {}) }],
    leaseFile: join(resolve(dataDir), 'dhcp-leases.json'),
    leaseSeconds: dhcp.leaseSeconds,
  };
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/**
 * The URL iPXE is sent to. Derived from the LAN address and the port the panel
 * listens on, unless configured (a reverse proxy, another port). A panel bound to
 * loopback cannot be reached by stations: refused, rather than stations that hang.
 */
export function httpBaseUrl(config: NetbootConfig, lan: LanAddress, http: { host: string; port: number }): string {
  if (config.httpBaseUrl !== '') {
    let url: URL;
    try {
      url = new URL(config.httpBaseUrl);
    } catch {
      throw new NetbootConfigError(`config: netboot.httpBaseUrl: "${config.httpBaseUrl}" is not a URL`);
    }
    if (url.protocol !== 'http:') throw new NetbootConfigError('config: netboot.httpBaseUrl must start with http:// (iPXE from Debian has no TLS trust for the box)');
    return config.httpBaseUrl.replace(/\/+$/, '');
  }
  if (LOOPBACK.test(http.host)) {
    throw new NetbootConfigError(
      `config: http.host is ${http.host}, which stations cannot reach: set http.host to 0.0.0.0 or ${lan.address}, or set netboot.httpBaseUrl`,
    );
  }
  return `http://${lan.address}:${http.port}`;
}
