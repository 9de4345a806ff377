import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import {
  authFetch,
  printedAdminPassword,
  startCallsight,
  TEST_TOKEN,
  type RunningCallsight,
} from '../helpers/callsight.js';

const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;
const run = promisify(execFile);

let callsight: RunningCallsight;
before(async () => {
  callsight = await startCallsight({ env: { LOG_LEVEL: 'debug' } });
});
after(async () => {
  await callsight?.stop();
});

function cli(...args: string[]) {
  return run(process.execPath, [MAIN, ...args], {
    env: { ...process.env, CALLSIGHT_DATA_DIR: callsight.dataDir },
  });
}

async function signIn(username: string, password: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${callsight.httpPort}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

test('first start: admin with a random password printed once in the banner, never in a log line', async () => {
  const password = printedAdminPassword(callsight);
  assert.equal((await signIn('admin', password)).status, 200);
  const lines = callsight.stdout().split('\n');
  assert.equal(lines.filter((line) => line.includes(password)).length, 1, 'once');
  assert.ok(!lines.some((line) => line.startsWith('{') && line.includes(password)), 'not in the JSON log');
  assert.ok(!callsight.stdout().includes(TEST_TOKEN), 'nor the bootstrap token');
});

test('callsight users add / list / reset-password / disable and tokens create / revoke work without the web page', async () => {
  const added = await cli('users', 'add', 'ann', '--role', 'agent', '--agent', '^\\+1555000');
  const password = /password \(shown once\): (\S+)/.exec(added.stdout)?.[1];
  assert.ok(password, added.stdout);
  const signedIn = await signIn('ann', password);
  assert.equal(signedIn.status, 200);
  const me = (await (
    await fetch(`http://127.0.0.1:${callsight.httpPort}/api/auth/me`, {
      headers: { cookie: signedIn.headers.get('set-cookie')!.split(';')[0]! },
    })
  ).json()) as { user: { name: string; role: string } };
  assert.deepEqual([me.user.name, me.user.role], ['ann', 'agent']);
  assert.match((await cli('users', 'list')).stdout, /^ann\tagent\tagent: \^\\\+1555000$/m);
  const reset = await cli('users', 'reset-password', 'ann');
  const second = /\(shown once\): (\S+)/.exec(reset.stdout)?.[1];
  assert.equal((await signIn('ann', password)).status, 401);
  assert.equal((await signIn('ann', second!)).status, 200);
  await cli('users', 'disable', 'ann');
  assert.equal((await signIn('ann', second!)).status, 401);
  const created = await cli('tokens', 'create', '--name', 'ci', '--role', 'viewer', '--expires-days', '7');
  const [, id, token] = /^token (\S+) .*\n(cs_\S+)$/m.exec(created.stdout) ?? [];
  const calls = () =>
    fetch(`http://127.0.0.1:${callsight.httpPort}/api/calls`, {
      headers: { authorization: `Bearer ${token}` },
    });
  assert.equal((await calls()).status, 200);
  await cli('tokens', 'revoke', id!);
  assert.equal((await calls()).status, 401);
  await assert.rejects(
    cli('users', 'add', 'bob', '--role', 'boss'),
    (err: { code?: number }) => err.code === 2,
  );
});

test('changes made with the command line are audited on the data stream like the REST routes', async () => {
  const records = async () => {
    const page = (await (
      await authFetch(`http://127.0.0.1:${callsight.httpPort}/api/records?from=0&limit=1000`)
    ).json()) as { 'detail-type': string; detail: Record<string, unknown> }[];
    return page
      .filter((r) => r['detail-type'] === 'Callsight Audit' && r.detail.remoteAddress === 'cli')
      .map((r) => r.detail);
  };
  const before = (await records()).length;
  await cli('users', 'add', 'cleo', '--role', 'viewer');
  await cli('users', 'reset-password', 'cleo');
  await cli('users', 'disable', 'cleo');
  await assert.rejects(cli('users', 'add', 'cleo', '--role', 'viewer'));
  const created = await cli('tokens', 'create', '--name', 'audited', '--role', 'viewer');
  const id = /^token (\S+) /m.exec(created.stdout)![1]!;
  await cli('tokens', 'revoke', id);
  const audits = (await records()).slice(before);
  const who = userInfo().username || 'cli';
  assert.deepEqual(
    audits.map((a) => [a.actor, a.actorKind, a.action, a.target, a.outcome, a.status]),
    [
      [who, 'cli', 'POST /api/users', { username: 'cleo' }, 'success', 201],
      [who, 'cli', 'PATCH /api/users/:username', { username: 'cleo' }, 'success', 200],
      [who, 'cli', 'PATCH /api/users/:username', { username: 'cleo' }, 'success', 200],
      [who, 'cli', 'POST /api/users', { username: 'cleo' }, 'failure', 409],
      [who, 'cli', 'POST /api/tokens', { name: 'audited' }, 'success', 201],
      [who, 'cli', 'DELETE /api/tokens/:id', { id }, 'success', 204],
    ],
  );
  // Listing changes nothing and is not audited; no password or token is in a record.
  await cli('users', 'list');
  assert.equal((await records()).length, before + 6);
  assert.ok(!JSON.stringify(audits).includes('cs_'), 'no token in the audit records');
});
