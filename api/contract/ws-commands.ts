import { Type, type Static } from '@sinclair/typebox';
import type { CommandReceipt } from '../realtime/station-commands.ts';
import { epochToIso } from './common.ts';

/** REST face of the operator commands that travel over the station channel (lock_now, message, reboot). */

export const MessageBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 500, description: 'Shown on the station, e.g. « Fermeture dans 10 minutes ».' }) },
  { additionalProperties: false },
);

export const CommandReceiptWire = Type.Object({
  commandId: Type.String({ description: 'The agent acknowledges it; operators see command_acked on /ws/operator.' }),
  stationId: Type.Integer(),
  command: Type.Union([Type.Literal('message'), Type.Literal('lock'), Type.Literal('reboot')]),
  sentAt: Type.String({ format: 'date-time' }),
  suspendedSessionId: Type.Union([Type.Integer(), Type.Null()], { description: 'Lock only: the active session it suspended (time kept).' }),
});
export type CommandReceiptWire = Static<typeof CommandReceiptWire>;

export function commandReceiptToWire(r: CommandReceipt): CommandReceiptWire {
  return { ...r, sentAt: epochToIso(r.sentAt)! };
}
