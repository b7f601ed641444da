/**
 * The appliance's log line as the lab shows it (one short line per boot step), or
 * undefined for lines a person watching a boot does not need. Plain text lines (the
 * first admin's password box, the panel URL) are shown as they are.
 */
export function boxLine(line: string): string | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trim() === '' ? undefined : line;
  }
  const msg = String(entry.msg ?? '');
  const boot = entry.boot as { mac?: string; profile?: string; image?: string } | undefined;
  if (boot !== undefined) return `${boot.mac ?? '?'} ${msg}${boot.image ? ` (${boot.image})` : ''}`;
  if (!String(entry.subsystem ?? '').startsWith('netboot') && Number(entry.level) < 40) {
    const req = entry.req as { method?: string; url?: string; remoteAddress?: string } | undefined;
    return req?.url?.startsWith('/boot/') ? `${req.remoteAddress ?? '?'} ${req.method} ${req.url}` : undefined;
  }
  const details = ['bootFile', 'ip', 'file', 'outcome', 'bytes', 'state', 'err', 'reason']
    .filter((k) => entry[k] !== undefined)
    .map((k) => `${k}=${typeof entry[k] === 'object' ? JSON.stringify(entry[k]) : String(entry[k])}`);
  return [entry.mac, msg, ...details].filter((part) => part !== undefined).join(' ');
}
