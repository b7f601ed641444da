import { Type, type TObject, type TProperties, type TLiteral, type TSchema } from '@sinclair/typebox';

/**
 * What both WebSocket channels share: the version every message carries, the
 * envelope, the error reply and the close codes. A message is one JSON text
 * frame `{ v, type, ...fields }`.
 */
export const WS_VERSION = 1;

/** Offered by clients that put their credential in Sec-WebSocket-Protocol; the server answers with it. */
export const WS_SUBPROTOCOL = 'epnbox.v1';
/** A second offered protocol `bearer.<token>` carries the credential (RFC 6455 §4.1 token characters only). */
export const BEARER_SUBPROTOCOL_PREFIX = 'bearer.';

/** Larger messages get an `error` reply and are dropped; the connection stays. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Close codes. 4000–4999 are for applications (RFC 6455 §7.4.2); a client
 * that sees `replaced` or `revoked` must not reconnect in a loop.
 */
export const WS_CLOSE = {
  /** Server shutting down (RFC 6455 §7.4.1). */
  goingAway: 1001,
  /** A newer connection of the same station took over. */
  replaced: 4000,
  /** The credential was revoked, the station deleted or the login ended. */
  revoked: 4003,
  /** No heartbeat within the timeout: the link is presumed dead. */
  heartbeatTimeout: 4008,
} as const;

const RequestId = Type.String({ minLength: 1, maxLength: 64, description: 'Echoed in the reply, so a client can match it.' });

/** `{ v: 1, type, ...fields }`, closed to unknown fields. */
export function wsMessage<K extends string, P extends TProperties>(type: K, fields: P, description?: string): TObject<P & { v: TLiteral<1>; type: TLiteral<K> }> {
  return Type.Object({ v: Type.Literal(1), type: Type.Literal(type), ...fields } as P & { v: TLiteral<1>; type: TLiteral<K> }, {
    additionalProperties: false,
    ...(description ? { description } : {}),
  });
}

/** Optional request id a client may put on any request. */
export const withRequestId = { requestId: Type.Optional(RequestId) };

export const Iso = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * The reply to a message that could not be handled. The connection stays
 * open. `code` is a domain error code (CODE_REJECTED, STATION_LOCKED_OUT…) or
 * one of the WS_* codes for a malformed message.
 */
export const WsError = wsMessage('error', {
  code: Type.String(),
  fr: Type.String(),
  en: Type.String(),
  requestId: Nullable(RequestId),
  /** The type of the message this answers, when it could be read. */
  for: Nullable(Type.String()),
  retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
  fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), fr: Type.String(), en: Type.String() }))),
});

/** Codes of the errors the channel itself answers (not the domain's). */
export const WS_ERROR_CODES = {
  notJson: 'WS_NOT_JSON',
  tooLarge: 'WS_MESSAGE_TOO_LARGE',
  binary: 'WS_BINARY_UNSUPPORTED',
  version: 'WS_VERSION_UNSUPPORTED',
  unknownType: 'WS_TYPE_UNKNOWN',
  invalid: 'WS_MESSAGE_INVALID',
  internal: 'WS_INTERNAL_ERROR',
} as const;
