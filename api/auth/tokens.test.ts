import { describe, expect, it } from 'vitest';
import { AccessTokenMemo, signAccessToken, verifyAccessToken } from './tokens.ts';

const KEY = Buffer.alloc(32, 3);

describe('AccessTokenMemo', () => {
  it('answers as verifyAccessToken does, and remembers only authentic tokens', () => {
    const memo = new AccessTokenMemo(KEY);
    const token = signAccessToken(KEY, { sid: 'login-1', exp: 10_000 });
    const [v, body] = token.split('.');
    const forged = [`${v}.${body}.AAAA`, signAccessToken(Buffer.alloc(32, 4), { sid: 'login-1', exp: 10_000 }), 'garbage', 'v1.!!.!!'];
    for (const t of forged) {
      expect(memo.verify(t, 0)).toBeNull();
      expect(verifyAccessToken(KEY, t, 0)).toBeNull();
    }
    expect(memo.size).toBe(0);
    expect(memo.verify(token, 0)).toEqual({ sid: 'login-1', exp: 10_000 });
    expect(memo.verify(token, 9_999)).toEqual(verifyAccessToken(KEY, token, 9_999));
    expect(memo.size).toBe(1);
  });

  it('refuses a remembered token from its expiry on, and forgets it', () => {
    const memo = new AccessTokenMemo(KEY);
    const token = signAccessToken(KEY, { sid: 'login-1', exp: 10_000 });
    expect(memo.verify(token, 1)).not.toBeNull();
    expect(memo.verify(token, 10_000)).toBeNull();
    expect(memo.size).toBe(0);
    expect(memo.verify(token, 10_001)).toBeNull();
    expect(memo.size).toBe(0);
  });

  it('keeps at most its bound, dropping the oldest first', () => {
    const memo = new AccessTokenMemo(KEY, 2);
    const tokens = ['a', 'b', 'c'].map((sid) => signAccessToken(KEY, { sid, exp: 10_000 }));
    for (const t of tokens) memo.verify(t, 0);
    expect(memo.size).toBe(2);
    // The dropped one is verified again, not refused.
    expect(memo.verify(tokens[0]!, 0)).toEqual({ sid: 'a', exp: 10_000 });
  });
});
