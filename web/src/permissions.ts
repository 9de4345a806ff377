/**
 * What the signed-in user's role may use, so that views hide what the server would refuse. The
 * server stays the enforcer (src/gateway/auth/RouteTable.ts); this mirrors its rules, and
 * test/web/permissions.test.ts checks every capability against that table.
 */

export type UserRole = 'admin' | 'supervisor' | 'viewer' | 'agent';

export type Capability =
  /** Pause, resume and stop pipelines. */
  | 'control'
  /** Play and download recordings. */
  | 'recordings'
  /** Read the REST API's lists (active calls, pipelines, configurations, post-call analytics). */
  | 'read'
  /** Create, change and delete configurations. */
  | 'configure'
  /** Erase a call. */
  | 'erase'
  /** Users, tokens and the audit trail. */
  | 'administer';

/** The least role each capability needs, and the routes that need it. */
export const CAPABILITIES: Readonly<Record<Capability, { role: UserRole; routes: readonly string[] }>> = {
  control: {
    role: 'supervisor',
    routes: ['PUT /api/pipelines/:id/status', 'DELETE /api/pipelines/:id'],
  },
  recordings: {
    role: 'supervisor',
    routes: [
      'GET /api/calls/:callId/recording',
      'GET /api/calls/:callId/recording.wav',
      'GET /api/calls/:callId/recording.redacted.wav',
    ],
  },
  read: {
    role: 'viewer',
    routes: [
      'GET /api/calls',
      'GET /api/calls/:callId/analytics',
      'GET /api/pipelines/:id',
      'GET /api/configurations',
      'GET /api/configurations/:identifier',
    ],
  },
  configure: {
    role: 'admin',
    routes: [
      'POST /api/configurations',
      'PUT /api/configurations/:identifier',
      'DELETE /api/configurations/:identifier',
    ],
  },
  erase: { role: 'admin', routes: ['DELETE /api/calls/:callId'] },
  administer: {
    role: 'admin',
    routes: [
      'GET /api/users',
      'POST /api/users',
      'PATCH /api/users/:username',
      'DELETE /api/users/:username/sessions',
      'GET /api/tokens',
      'POST /api/tokens',
      'DELETE /api/tokens/:id',
    ],
  },
};

const RANK: Readonly<Record<UserRole, number>> = { admin: 3, supervisor: 2, viewer: 1, agent: 0 };

/** A permission check for one user; no user (auth.mode none) may use everything, as the server allows. */
export type Can = (capability: Capability) => boolean;

export function permissionsOf(role: string | null): Can {
  const rank = role === null ? RANK.admin : (RANK[role as UserRole] ?? -1);
  return (capability) => rank >= RANK[CAPABILITIES[capability].role];
}
