import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type OperatorRole = 'admin' | 'operator';

/** People who work the panel. Times are epoch ms. */
export interface OperatorsTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  role: OperatorRole;
  /** argon2id PHC string. */
  password_hash: string;
  /** 1 while the password is a one-time password that must be changed at next login. */
  must_change_password: number;
  active: number;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

export type Operator = Selectable<OperatorsTable>;
export type NewOperator = Insertable<OperatorsTable>;
export type OperatorUpdate = Updateable<OperatorsTable>;
