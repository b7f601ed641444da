import { isIPv6 } from 'node:net';

/** A Host header worth echoing into a boot script: a DNS name or IPv4 with an optional port, or a bracketed IPv6. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export interface BaseUrlSource {
  /** netboot.httpBaseUrl; '' means "work it out per request". */
  configured: string;
  host: string | undefined;
  /** Address and port the request arrived on. */
  localAddress: string | undefined;
  localPort: number | undefined;
}

/**
 * How a station reaches the box, without a trailing slash. The configured URL
 * wins; otherwise the Host header the station's iPXE sent (it is how it
 * reached us), when it is a plain host; otherwise the socket's own address.
 * Whatever comes from the request is checked: it ends up in an iPXE script.
 */
export function bootBaseUrl(source: BaseUrlSource): string {
  if (source.configured !== '') return source.configured.replace(/\/+$/, '');
  if (source.host !== undefined && HOST.test(source.host)) return `http://${source.host}`;
  const address = (source.localAddress ?? '127.0.0.1').replace(/^::ffff:/i, '');
  const host = isIPv6(address) ? `[${address}]` : address;
  return `http://${host}${source.localPort === undefined || source.localPort === 80 ? '' : `:${source.localPort}`}`;
}
