import { Type, type Static } from '@sinclair/typebox';

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    /** The panel asks for the httpOnly cookie instead of keeping tokens in JavaScript. */
    useCookie: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, $id: 'LoginBody' },
);
export type LoginBody = Static<typeof LoginBody>;

export const TokenResponse = Type.Object(
  {
    tokenType: Type.Literal('Bearer'),
    accessToken: Type.String(),
    refreshToken: Type.String(),
    /** Seconds. */
    expiresIn: Type.Integer(),
    mustChangePassword: Type.Boolean(),
    /** Echo in the x-csrf-token header on state-changing requests made with the cookie. */
    csrfToken: Type.String(),
  },
  { $id: 'TokenResponse' },
);

export const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export const RefreshResponse = Type.Object({ tokenType: Type.Literal('Bearer'), accessToken: Type.String(), refreshToken: Type.String(), expiresIn: Type.Integer() });

export const VerifyBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false });
export const VerifyResponse = Type.Object({ valid: Type.Boolean(), kind: Type.Optional(Type.Union([Type.Literal('operator'), Type.Literal('station')])) });

export const Me = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    displayName: Type.String(),
    role: Type.Union([Type.Literal('admin'), Type.Literal('operator')]),
    mustChangePassword: Type.Boolean(),
    csrfToken: Type.String(),
  },
  { $id: 'Me' },
);

export const ChangePasswordBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

export const NoContent = Type.Null();
