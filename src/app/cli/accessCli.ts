import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { AccessControl } from '../../access/AccessControl.js';
import { auditEvent } from '../../access/Audit.js';
import { isRole } from '../../access/Roles.js';
import { newPassword } from '../../access/Secrets.js';
import { CallsightError } from '../../platform/errors.js';
import { silentLogger } from '../../platform/logger.js';
import type { DataStream } from '../../stream/StreamTypes.js';
import type { Config } from '../config/Config.js';
import { openIdentityStore } from '../access.js';
import { openBackends } from '../backends.js';

export const ACCESS_CLI_HELP = `Users and API tokens, without the web page (on the configured database):
  callsight users list
  callsight users add NAME --role admin|supervisor|viewer|agent [--agent PATTERN]...   (prints a new password)
  callsight users reset-password NAME     (prints a new password; ends the user's sessions)
  callsight users disable NAME | enable NAME
  callsight tokens list
  callsight tokens create --name NAME --role admin|supervisor|viewer [--expires-days N | --no-expiry]   (prints the token once)
  callsight tokens revoke ID`;

type Out = (line: string) => void;

/** Who runs the command, for audit records: the operating system's user, else `cli`. */
function osUser(): string {
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

/**
 * Runs a change and writes its `Callsight Audit` record to the data stream, as the REST route making
 * the same change would (its action and status), with the OS user as the actor and `cli` as where
 * from. A failed change is recorded as a failure, with the status REST would have answered.
 */
async function audited<T>(
  stream: DataStream,
  config: Config,
  what: { action: string; target: Record<string, string>; status: number },
  change: () => Promise<T>,
): Promise<T> {
  const record = (outcome: 'success' | 'failure', status: number) =>
    stream.append(
      auditEvent(
        {
          actor: osUser(),
          actorKind: 'cli',
          action: what.action,
          target: what.target,
          outcome,
          status,
          remoteAddress: 'cli',
        },
        { account: config.voiceConnector.account, region: config.voiceConnector.region },
      ),
      { type: 'Callsight Audit', callId: null },
    );
  let result: T;
  try {
    result = await change();
  } catch (err) {
    await record('failure', err instanceof CallsightError ? err.status : 500);
    throw err;
  }
  await record('success', what.status);
  return result;
}

function usage(message: string): never {
  throw new CallsightError('CS_ERR_BAD_REQUEST', `${message}\n\n${ACCESS_CLI_HELP}`);
}

function roleOf(value: string | undefined) {
  if (!isRole(value)) usage(`--role must be admin, supervisor, viewer or agent, not ${value ?? '(none)'}`);
  return value;
}

/**
 * `callsight users …` and `callsight tokens …`: the same operations as /api/users and /api/tokens,
 * straight on the identity store (SQLite in the data folder, or PostgreSQL), so the first admin can be
 * managed before any web page is reachable. Each change writes the same `Callsight Audit` record to
 * the data stream as its REST route, by the OS user, from `cli`. Passwords are generated and printed, never read from the
 * command line (where `ps` and shell history would keep them).
 */
export async function runAccessCommand(config: Config, argv: readonly string[], out: Out): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      role: { type: 'string' },
      agent: { type: 'string', multiple: true },
      name: { type: 'string' },
      'expires-days': { type: 'string' },
      'no-expiry': { type: 'boolean' },
      config: { type: 'string' },
    },
  });
  const [noun, verb, subject] = positionals;
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // The data stream for the audit records; with database.backend postgres, the database too.
  const backends = await openBackends(config, dataDir, silentLogger, ['stream']);
  const stream = backends.stream!;
  const store = openIdentityStore(dataDir, backends.database, silentLogger);
  const access = new AccessControl({
    mode: 'local',
    store,
    sessionTtlMs: config.auth.sessionHours * 3_600_000,
  });
  const user = (username: string, status = 200) => ({
    action: 'PATCH /api/users/:username',
    target: { username },
    status,
  });
  try {
    const name = () => subject ?? usage(`callsight ${noun} ${verb} needs a name`);
    if (noun === 'users' && verb === 'list') {
      for (const user of await access.listUsers())
        out(
          `${user.username}\t${user.role}${user.disabled ? '\tdisabled' : ''}${user.agentPatterns.length ? `\tagent: ${user.agentPatterns.join(' ')}` : ''}`,
        );
    } else if (noun === 'users' && verb === 'add') {
      const password = newPassword();
      const added = {
        username: name(),
        role: roleOf(values.role),
        password,
        agentPatterns: values.agent ?? [],
      };
      await audited(
        stream,
        config,
        { action: 'POST /api/users', target: { username: added.username }, status: 201 },
        () => access.addUser(added),
      );
      out(`added ${name()}; password (shown once): ${password}`);
    } else if (noun === 'users' && verb === 'reset-password') {
      const password = newPassword();
      await audited(stream, config, user(name()), () => access.setPassword(name(), password));
      out(`new password for ${name()} (shown once): ${password}`);
    } else if (noun === 'users' && (verb === 'disable' || verb === 'enable')) {
      await audited(stream, config, user(name()), () => access.setDisabled(name(), verb === 'disable'));
      out(`${name()} ${verb}d`);
    } else if (noun === 'tokens' && verb === 'list') {
      for (const token of await access.listTokens())
        out(
          `${token.id}\t${token.name}\t${token.role}\texpires ${token.expiresAt ?? 'never'}${token.revoked ? '\trevoked' : ''}`,
        );
    } else if (noun === 'tokens' && verb === 'create') {
      const days = values['no-expiry'] ? null : Number(values['expires-days'] ?? 90);
      if (days !== null && (!Number.isInteger(days) || days < 1))
        usage('--expires-days must be a whole number of days');
      const request = {
        name: values.name ?? usage('callsight tokens create needs --name'),
        role: roleOf(values.role),
        expiresInDays: days,
        createdBy: osUser(),
      };
      const { token, info } = await audited(
        stream,
        config,
        { action: 'POST /api/tokens', target: { name: request.name }, status: 201 },
        () => access.createToken(request),
      );
      out(`token ${info.id} (${info.role}, expires ${info.expiresAt ?? 'never'}); shown once:\n${token}`);
    } else if (noun === 'tokens' && verb === 'revoke') {
      await audited(
        stream,
        config,
        { action: 'DELETE /api/tokens/:id', target: { id: name() }, status: 204 },
        () => access.revokeToken(name()),
      );
      out(`revoked ${name()} (gateways close its WebSockets within auth.recheckSeconds)`);
    } else usage(`unknown command: callsight ${positionals.join(' ')}`);
  } finally {
    await store.close();
    await backends.close();
  }
}
