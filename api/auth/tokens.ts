import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, url-safe: refresh tokens, station tokens, session ids. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Tokens are stored hashed: a stolen database copy holds no usable credential. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export interface AccessClaims {
  /** auth_sessions.id */
  sid: string;
  /** Expiry, epoch ms. */
  exp: number;
}

const PREFIX = 'v1';

function mac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * A short-lived access token: `v1.<claims>.<hmac>`. It only names the login
 * and its expiry; who the operator is and whether the login still stands are
 * read from the database at each use, so logout and role changes act at once.
 */
export function signAccessToken(key: Buffer, claims: AccessClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${PREFIX}.${body}.${mac(key, `${PREFIX}.${body}`).toString('base64url')}`;
}

/** The claims of a well-formed, authentic, unexpired token; null otherwise. */
export function verifyAccessToken(key: Buffer, token: string, now: number): AccessClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return null;
  const [, body, sig] = parts as [string, string, string];
  const expected = mac(key, `${PREFIX}.${body}`);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const c = claims as Partial<AccessClaims>;
  if (typeof c.sid !== 'string' || typeof c.exp !== 'number' || c.exp <= now) return null;
  return { sid: c.sid, exp: c.exp };
}

/**
 * Access tokens already verified, by their exact text. A panel sends the same
 * token with every request for its 15 minutes; the HMAC, base64 and JSON
 * decoding of verifyAccessToken are then done once. Only a token that passed
 * verification is remembered (a forged one never is, so it cannot fill the
 * memo), its expiry is checked again at every use, and it names only the
 * login: whether that login still stands, and who holds it, is read from the
 * database at every request (principalForSession), so logout, revocation and
 * role changes act at once as before.
 */
export class AccessTokenMemo {
  readonly #claims = new Map<string, AccessClaims>();

  constructor(
    private readonly key: Buffer,
    private readonly max = 1024,
  ) {}

  /** verifyAccessToken's answer for `token` at `now`. */
  verify(token: string, now: number): AccessClaims | null {
    const known = this.#claims.get(token);
    if (known !== undefined) {
      if (known.exp > now) return known;
      this.#claims.delete(token);
      return null;
    }
    const claims = verifyAccessToken(this.key, token, now);
    if (claims === null) return null;
    // Oldest first out: Map keeps insertion order.
    if (this.#claims.size >= this.max) this.#claims.delete(this.#claims.keys().next().value!);
    this.#claims.set(token, claims);
    return claims;
  }

  get size(): number {
    return this.#claims.size;
  }
}

/** CSRF token bound to a login (double-submit): the panel echoes it in a header. */
export function csrfTokenFor(key: Buffer, sessionId: string): string {
  return mac(key, `csrf:${sessionId}`).toString('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
