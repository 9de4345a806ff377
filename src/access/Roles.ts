/**
 * Who may do what. `admin` ⊃ `supervisor` ⊃ `viewer`: each may do everything the next may. An
 * `agent` is outside that line: a user bound to agent identities (AOR or number patterns) who sees
 * only the calls where one of them is a party (AgentScope.ts).
 */
export const ROLES = ['admin', 'supervisor', 'viewer', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

const RANK: Readonly<Record<Role, number>> = { admin: 3, supervisor: 2, viewer: 1, agent: 0 };

/**
 * Whether a user of role `held` may use something that needs `needed`. `agent` as the need means
 * any signed-in user (the handler then narrows what an agent sees).
 */
export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

/** Who is asking, once authenticated. */
export interface Principal {
  /** A user (signed in with a session) or an API token; `anonymous` only with auth.mode none. */
  readonly kind: 'user' | 'token' | 'anonymous';
  /** The user's or token's id. */
  readonly id: string;
  /** The user name, or the token's name (`token:<name>`), as audit records name the actor. */
  readonly name: string;
  readonly role: Role;
  /** An agent's identities: case-insensitive regular expressions over AORs and numbers. */
  readonly agentPatterns: readonly string[];
}

export const ANONYMOUS_ADMIN: Principal = Object.freeze({
  kind: 'anonymous',
  id: 'anonymous',
  name: 'anonymous',
  role: 'admin',
  agentPatterns: Object.freeze([]),
});
