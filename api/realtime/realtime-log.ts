/** The few log calls the realtime layer makes; Fastify's pino logger fits. */
export interface RealtimeLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const nothing = () => {};
export const silentLog: RealtimeLog = { debug: nothing, info: nothing, warn: nothing, error: nothing };
