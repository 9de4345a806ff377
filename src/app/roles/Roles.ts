import { CallsightError } from '../../platform/errors.js';

/**
 * What a Callsight process runs. `all` is the whole of Callsight in one process with in-process
 * connectors between its parts (the embedded default). Any list of roles makes the process one of
 * several that coordinate only through NATS (core and JetStream) and PostgreSQL:
 *
 * - `sip`: the SIP user agent, the Voice Connector and the media (RTP in, PCM out);
 * - `worker`: the event rules and the pipelines (speech recognition, analytics, recording);
 * - `gateway`: HTTP: the WebSocket gateway, the REST API and the web app.
 *
 * A list like `sip,gateway` runs those roles in one process, still talking to the others over NATS.
 */
export type RoleName = 'sip' | 'worker' | 'gateway';

export const ROLE_NAMES: readonly RoleName[] = ['sip', 'worker', 'gateway'];

export interface Roles {
  /** True for `all`: one process, in-process connectors, any backend. */
  readonly all: boolean;
  readonly sip: boolean;
  readonly worker: boolean;
  readonly gateway: boolean;
  /** `all`, or the roles in a fixed order, e.g. `sip,gateway`. */
  readonly name: string;
}

/** Parses `all` or a comma list (`sip`, `worker`, `gateway`, any order, no repeats); null when invalid. */
export function parseRoles(text: string): Roles | null {
  const trimmed = text.trim();
  if (trimmed === 'all') return { all: true, sip: true, worker: true, gateway: true, name: 'all' };
  const parts = trimmed.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !(ROLE_NAMES as readonly string[]).includes(p))) return null;
  if (new Set(parts).size !== parts.length) return null;
  const has = (role: RoleName) => parts.includes(role);
  return {
    all: false,
    sip: has('sip'),
    worker: has('worker'),
    gateway: has('gateway'),
    name: ROLE_NAMES.filter(has).join(','),
  };
}

/** Why a role list is refused, for the configuration's error message. */
export const ROLE_SYNTAX = '`all`, or a comma-separated list of sip, worker, gateway';

/** The settings that say where state is kept (config.stream.backend, config.database.backend). */
export interface StorageBackends {
  readonly stream: { readonly backend: string };
  readonly database: { readonly backend: string };
}

/**
 * A role process shares its state with the others, so the embedded SQLite backends (files in this
 * machine's dataDir) cannot serve it: refuse to start, naming the settings to change.
 */
export function checkRoleBackends(config: StorageBackends, roles: Roles): void {
  if (roles.all) return;
  const problems: string[] = [];
  if (config.stream.backend !== 'jetstream')
    problems.push(
      'stream.backend must be jetstream (CALLSIGHT_STREAM_BACKEND=jetstream), with nats.url (CALLSIGHT_NATS_URL)',
    );
  if (config.database.backend !== 'postgres')
    problems.push(
      'database.backend must be postgres (CALLSIGHT_DATABASE_BACKEND=postgres), with database.url (CALLSIGHT_DATABASE_URL)',
    );
  if (problems.length > 0)
    throw new CallsightError(
      'CS_ERR_CONFIG_INVALID',
      `role ${roles.name} runs as one of several processes and cannot use the embedded SQLite backends:\n  ${problems.join('\n  ')}\n  (or run everything in one process with role all)`,
    );
}
