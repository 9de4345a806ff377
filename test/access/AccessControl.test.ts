import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessControl } from '../../src/access/AccessControl.js';
import { IdentityStore } from '../../src/access/IdentityStore.js';
import { RecordScope } from '../../src/access/RecordScope.js';
import { hashPassword, verifyPassword } from '../../src/access/Secrets.js';
import { CallsightError } from '../../src/platform/errors.js';
import { useTestDatabase } from '../helpers/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'callsight-access-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const testDb = useTestDatabase();
let counter = 0;

const BACKENDS: { name: string; skip: () => string | false; open: () => Promise<IdentityStore> }[] = [
  {
    name: 'SQLite',
    skip: () => false,
    open: () => Promise.resolve(IdentityStore.openSqlite(join(dir, `run-${++counter}`, 'callsight.db'))),
  },
  {
    name: 'PostgreSQL',
    skip: () => testDb.skip(),
    open: async () => IdentityStore.onPostgres(await testDb.open(`access_${++counter}`, 2)),
  },
];

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof CallsightError && err.code === code);
}

test('passwords: scrypt, salted, verified; a wrong one and a malformed hash are refused', async () => {
  const hash = await hashPassword('correct horse battery');
  assert.match(hash, /^scrypt\$32768\$8\$1\$/);
  assert.notEqual(hash, await hashPassword('correct horse battery'), 'each hash has its own salt');
  assert.ok(await verifyPassword('correct horse battery', hash));
  assert.ok(!(await verifyPassword('correct horse batterY', hash)));
  assert.ok(!(await verifyPassword('x', 'md5$abc')));
});

for (const backend of BACKENDS) {
  describe(`AccessControl on ${backend.name}`, () => {
    test('single sign-on users: tied to issuer and subject, never to a local name, no password', async (t) => {
      if (backend.skip()) return t.skip(String(backend.skip()));
      const store = await backend.open();
      const access = new AccessControl({ mode: 'local', store, sessionTtlMs: 60_000 });
      await access.addUser({ username: 'kim', role: 'admin', password: 'a-long-local-password' });
      const identity = { issuer: 'https://id.example.com', subject: 'sub-1', claims: {} };
      const asViewer = { ok: true as const, username: 'kim', role: 'viewer' as const, agentPatterns: [] };
      const first = await access.signInExternal(identity, asViewer);
      assert.ok('signedIn' in first);
      assert.match(first.username, /^kim-[0-9a-f]{8}$/, 'the local kim stays the local kim');
      assert.equal(first.signedIn.principal.role, 'viewer');
      const again = await access.signInExternal(identity, { ...asViewer, role: 'supervisor' });
      assert.ok('signedIn' in again);
      assert.equal(again.username, first.username, 'the same user at the next sign-in');
      assert.equal((await access.authenticate({ session: again.signedIn.session }))?.role, 'supervisor');
      assert.equal(
        await access.authenticate({ session: first.signedIn.session }),
        null,
        'a role change ends the older session',
      );
      const users = await access.listUsers();
      assert.deepEqual(
        users.map((u) => [u.username, u.role, u.external]),
        [
          ['kim', 'admin', false],
          [first.username, 'supervisor', true],
        ],
      );
      await rejectsWith(access.setPassword(first.username, 'a-long-new-password'), 'CS_ERR_BAD_REQUEST');
      const refused = await access.signInExternal(identity, {
        ok: false,
        username: 'kim',
        reason: 'no role',
      });
      assert.deepEqual(refused, { refused: 'no role', username: first.username });
      assert.equal(
        await access.authenticate({ session: again.signedIn.session }),
        null,
        'refused: sessions end',
      );
      await store.close();
    });

    test('first start creates admin with a random password once; the bootstrap token is an admin token', async (t) => {
      if (backend.skip()) return t.skip(String(backend.skip()));
      const store = await backend.open();
      const access = new AccessControl({ mode: 'local', store, sessionTtlMs: 60_000 });
      const first = await access.bootstrap('cs_bootstrap-token-for-tests');
      assert.match(first.adminPassword ?? '', /^[\w-]{24}$/);
      assert.deepEqual(await access.bootstrap('cs_bootstrap-token-for-tests'), {}, 'only the first start');
      const viaToken = await access.authenticate({ bearer: 'cs_bootstrap-token-for-tests' });
      assert.equal(viaToken?.role, 'admin');
      assert.equal(viaToken?.kind, 'token');
      assert.equal((await access.listTokens()).length, 1, 'ensured, not added again');
      const signedIn = await access.login('admin', first.adminPassword!, '127.0.0.1');
      assert.ok(signedIn);
      const principal = await access.authenticate({ session: signedIn.session });
      assert.equal(principal?.name, 'admin');
      assert.equal(await access.login('admin', 'wrong password!', '127.0.0.1'), null);
      await store.close();
    });

    test('users: add, roles, agent patterns, disable ends sessions, password reset, sessions expire', async (t) => {
      if (backend.skip()) return t.skip(String(backend.skip()));
      const store = await backend.open();
      let now = 1_000_000;
      const access = new AccessControl({ mode: 'local', store, sessionTtlMs: 60_000, now: () => now });
      await access.addUser({
        username: 'ann',
        role: 'agent',
        password: 'ann-password-1',
        agentPatterns: ['^\\+1555000'],
      });
      await rejectsWith(access.addUser({ username: 'ann', role: 'viewer' }), 'CS_ERR_USER_EXISTS');
      await rejectsWith(
        access.addUser({ username: 'bob', role: 'agent', password: 'long-enough-1' }),
        'CS_ERR_BAD_REQUEST',
      );
      await rejectsWith(
        access.addUser({ username: 'bob', role: 'viewer', password: 'short' }),
        'CS_ERR_BAD_REQUEST',
      );
      const session = (await access.login('ann', 'ann-password-1', '10.0.0.1'))!.session;
      const ann = await access.authenticate({ session });
      assert.deepEqual([ann?.role, ann?.agentPatterns], ['agent', ['^\\+1555000']]);
      let revoked = 0;
      access.onRevoke(() => revoked++);
      await access.setDisabled('ann', true);
      assert.equal(await access.authenticate({ session }), null, 'disabling ends the session');
      assert.equal(
        await access.login('ann', 'ann-password-1', '10.0.0.1'),
        null,
        'a disabled user cannot sign in',
      );
      assert.equal(revoked, 1);
      await access.setDisabled('ann', false);
      await access.setPassword('ann', 'ann-password-2');
      const again = (await access.login('ann', 'ann-password-2', '10.0.0.1'))!.session;
      assert.ok(await access.authenticate({ session: again }));
      now += 60_001;
      assert.equal(await access.authenticate({ session: again }), null, 'sessions expire');
      assert.deepEqual(
        (await access.listUsers()).map((u) => [u.username, u.role, u.disabled]),
        [['ann', 'agent', false]],
      );
      await store.close();
    });

    test('tokens: shown once, stored hashed, expire, revoke', async (t) => {
      if (backend.skip()) return t.skip(String(backend.skip()));
      const store = await backend.open();
      let now = 5_000_000;
      const access = new AccessControl({ mode: 'local', store, sessionTtlMs: 60_000, now: () => now });
      const { token, info } = await access.createToken({
        name: 'ci',
        role: 'viewer',
        expiresInDays: 1,
        createdBy: 'admin',
      });
      assert.match(token, /^cs_[\w-]{43}$/);
      assert.ok(!JSON.stringify(await access.listTokens()).includes(token), 'the secret is not listed');
      assert.equal((await access.authenticate({ bearer: token }))?.role, 'viewer');
      assert.equal(await access.authenticate({ bearer: `${token}x` }), null);
      now += 86_400_001;
      assert.equal(await access.authenticate({ bearer: token }), null, 'expired');
      const second = await access.createToken({
        name: 'ci2',
        role: 'supervisor',
        expiresInDays: null,
        createdBy: 'admin',
      });
      assert.ok(await access.authenticate({ bearer: second.token }));
      await access.revokeToken(second.info.id);
      assert.equal(await access.authenticate({ bearer: second.token }), null, 'revoked');
      await rejectsWith(access.revokeToken(second.info.id), 'CS_ERR_NOT_FOUND');
      await rejectsWith(
        access.createToken({ name: 'a', role: 'agent', expiresInDays: 1, createdBy: 'admin' }),
        'CS_ERR_BAD_REQUEST',
      );
      assert.equal(info.revoked, false);
      await store.close();
    });
  });
}

test('processes starting together on one PostgreSQL: one creates admin and has its password, all start', async (t) => {
  if (testDb.skip()) return t.skip(String(testDb.skip()));
  const database = await testDb.open(`access_${++counter}`, 8);
  const starts = await Promise.all(
    Array.from({ length: 6 }, () =>
      new AccessControl({
        mode: 'local',
        store: IdentityStore.onPostgres(database),
        sessionTtlMs: 60_000,
      }).bootstrap('cs_bootstrap-token-for-tests'),
    ),
  );
  assert.equal(starts.filter((s) => s.adminPassword !== undefined).length, 1);
  const access = new AccessControl({
    mode: 'local',
    store: IdentityStore.onPostgres(database),
    sessionTtlMs: 60_000,
  });
  assert.equal((await access.listTokens()).length, 1, 'one bootstrap token');
});

test('sign-in backoff: after 5 failures for a name, attempts must wait, doubling', async () => {
  const store = IdentityStore.openSqlite(join(dir, 'throttle', 'callsight.db'));
  let now = 0;
  const access = new AccessControl({ mode: 'local', store, sessionTtlMs: 60_000, now: () => now });
  await access.addUser({ username: 'carl', role: 'viewer', password: 'carl-password-1' });
  for (let i = 0; i < 5; i++) {
    assert.equal(access.loginWaitMs('carl', '10.0.0.9'), 0);
    assert.equal(await access.login('carl', 'nope', '10.0.0.9'), null);
  }
  assert.equal(access.loginWaitMs('carl', '10.0.0.8'), 1000, 'the name is throttled from any address');
  now += 1000;
  assert.equal(await access.login('carl', 'nope', '10.0.0.8'), null);
  assert.equal(access.loginWaitMs('carl', '10.0.0.7'), 2000, 'doubling');
  now += 2000;
  assert.ok(await access.login('carl', 'carl-password-1', '10.0.0.7'));
  assert.equal(access.loginWaitMs('carl', '10.0.0.7'), 0, 'a success clears the name');
  await store.close();
});

test('RecordScope: an agent sees only calls where one of their identities is a party; audit records are for admins', () => {
  const agent = new RecordScope({
    kind: 'user',
    id: 'u',
    name: 'ann',
    role: 'agent',
    agentPatterns: ['^\\+1555000[0-9]$'],
  });
  const viewer = new RecordScope({ kind: 'user', id: 'v', name: 'vic', role: 'viewer', agentPatterns: [] });
  const started = (callId: string, to: string) => ({
    callId,
    type: 'Chime VoiceConnector Streaming Status',
    json: JSON.stringify({ detail: { callId, fromNumber: '+12065550100', toNumber: to } }),
  });
  const transcript = (callId: string) => ({ callId, type: 'Transcribe', json: JSON.stringify({ callId }) });
  assert.ok(agent.allows(started('mine', '+15550001')));
  assert.ok(agent.allows(transcript('mine')), 'later records of the call, without parties');
  assert.ok(!agent.allows(started('theirs', '+15550099')));
  assert.ok(!agent.allows(transcript('theirs')));
  assert.ok(!agent.allows(transcript('unknown')), 'a call never seen with a party is not shown');
  const inMetadata = {
    callId: 'meta',
    type: 'Transcribe',
    json: JSON.stringify({ metadata: JSON.stringify({ fromNumber: '+15550002', toNumber: 'x' }) }),
  };
  assert.ok(agent.allows(inMetadata), 'flat records carry the parties in their metadata text');
  assert.ok(viewer.allows(transcript('theirs')));
  const audit = { callId: null, type: 'Callsight Audit', json: '{}' };
  assert.ok(!viewer.allows(audit));
  assert.ok(
    new RecordScope({ kind: 'token', id: 't', name: 'token:x', role: 'admin', agentPatterns: [] }).allows(
      audit,
    ),
  );
});
