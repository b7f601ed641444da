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

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** One JSON object per line (stderr by default), from `minLevel` up: for entry scripts and the lab. */
export function jsonLineLogger(subsystem: string, minLevel: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l)): NetbootLogger {
  const at =
    (level: LogLevel) =>
    (fields: Record<string, unknown>, message: string): void => {
      if (rank[level] >= rank[minLevel]) write(`${JSON.stringify({ time: new Date().toISOString(), level, subsystem, msg: message, ...fields })}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
