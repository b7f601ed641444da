/**
 * The logger each netboot subsystem receives. The signature is pino's (fields, message),
 * so the appliance can hand in `logger.child({ subsystem: 'netboot:dhcp' })` directly.
 */
export interface NetbootLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const noop = (): void => {};

/** The default: says nothing. */
export const silentLogger: NetbootLogger = { debug: noop, info: noop, warn: noop, error: noop };

/** One JSON object per line on a stream (stderr by default): for entry scripts and the lab. */
export function jsonLineLogger(subsystem: string, write: (line: string) => void = (l) => process.stderr.write(l)): NetbootLogger {
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void =>
      write(`${JSON.stringify({ time: new Date().toISOString(), level, subsystem, msg: message, ...fields })}\n`);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
