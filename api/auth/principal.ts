import type { OperatorRole } from '../operators/operators-table.ts';

/** Who is calling. Routes decide by kind and role; the domain receives an Actor. */
export type Principal =
  | { kind: 'operator'; operatorId: number; role: OperatorRole; sessionId: string; mustChangePassword: boolean; via: 'bearer' | 'cookie' }
  | { kind: 'station'; stationId: number }
  | { kind: 'anonymous' };
