import type { Operator, OperatorRole } from './operators-table.ts';

export const OPERATOR_SORTS = ['username', 'displayName', 'createdAt', 'lastLogin'] as const;
export type OperatorSort = (typeof OPERATOR_SORTS)[number];

/** What the API shows of an operator: never the password hash. Times are epoch ms. */
export interface OperatorView {
  id: number;
  username: string;
  displayName: string;
  role: OperatorRole;
  active: boolean;
  /** The password is a one-time password to be changed at the next login. */
  mustChangePassword: boolean;
  createdAt: number;
  updatedAt: number;
  /** Null if the operator never logged in. */
  lastLoginAt: number | null;
}

export function toOperatorView(row: Operator): OperatorView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    active: row.active === 1,
    mustChangePassword: row.must_change_password === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
  };
}
