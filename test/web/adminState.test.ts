import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROUTE_TABLE } from '../../src/gateway/auth/RouteTable.js';
import { ROLES } from '../../src/access/Roles.js';
import { parsePatterns, tokenState, type Token } from '../../web/src/adminApi.js';
import { CAPABILITIES, permissionsOf, type Capability } from '../../web/src/permissions.js';
import { AuditLog, auditEntryOf, describeTarget } from '../../web/src/state/AuditLog.js';
import { subTypeOf, type StreamRecord } from '../../web/src/state/records.js';
import { Store } from '../../web/src/state/Store.js';

let seq = 0;
function audit(action: string, extra: Record<string, unknown> = {}): StreamRecord {
  return {
    sequenceNumber: String(++seq),
    'detail-type': 'Callsight Audit',
    source: 'callsight',
    time: '2026-12-07T09:41:07Z',
    detail: {
      version: '0',
      actor: 'admin',
      actorKind: 'user',
      action,
      target: {},
      outcome: 'success',
      status: 200,
      remoteAddress: '192.0.2.7',
      ...extra,
    },
  };
}

describe('permissions: what the views show, against the server route table', () => {
  test('every capability needs exactly the role its routes need on the server', () => {
    for (const [capability, { role, routes }] of Object.entries(CAPABILITIES)) {
      for (const route of routes) {
        const rule = ROUTE_TABLE[route];
        assert.ok(rule, `${route} (${capability}) is in the route table`);
        assert.equal(rule.role, role, `${capability}: ${route} needs ${rule.role} on the server`);
      }
    }
  });

  test('each role sees what the issue gives it', () => {
    const shows = (role: string) =>
      (Object.keys(CAPABILITIES) as Capability[]).filter((c) => permissionsOf(role)(c)).sort();
    assert.deepEqual(shows('admin'), ['administer', 'configure', 'control', 'erase', 'read', 'recordings']);
    assert.deepEqual(shows('supervisor'), ['control', 'read', 'recordings']);
    assert.deepEqual(shows('viewer'), ['read']);
    assert.deepEqual(shows('agent'), []);
    assert.deepEqual(shows('someone-new'), [], 'an unknown role shows nothing');
    assert.deepEqual(shows(null as unknown as string), shows('admin'), 'no user: auth.mode none');
    for (const role of ROLES) assert.ok(permissionsOf(role), role);
  });
});

describe('AuditLog', () => {
  test('reads who, what, when, where; counts actions; filters newest first', () => {
    const log = new AuditLog();
    log.append(audit('auth.login', { actor: 'eve', actorKind: 'unknown', outcome: 'failure', status: 401 }));
    log.append(audit('POST /api/users', { target: {}, remoteAddress: '198.51.100.4' }));
    log.append(audit('PATCH /api/users/:username', { target: { username: 'alice' } }));
    log.append(audit('auth.login'));
    assert.equal(log.entries.length, 4);
    assert.deepEqual(log.actions(), [
      ['auth.login', 2],
      ['PATCH /api/users/:username', 1],
      ['POST /api/users', 1],
    ]);
    const logins = log.select({ action: 'auth.login', failuresOnly: false, text: '' });
    assert.deepEqual(
      logins.map((e) => [e.actor, e.outcome, e.status]),
      [
        ['admin', 'success', 200],
        ['eve', 'failure', 401],
      ],
      'newest first',
    );
    assert.deepEqual(
      log.select({ action: null, failuresOnly: true, text: '' }).map((e) => e.actor),
      ['eve'],
    );
    assert.deepEqual(
      log.select({ action: null, failuresOnly: false, text: 'ALICE' }).map((e) => e.action),
      ['PATCH /api/users/:username'],
    );
    assert.deepEqual(
      log.select({ action: null, failuresOnly: false, text: '198.51' }).map((e) => e.action),
      ['POST /api/users'],
    );
    assert.equal(log.entries[2]!.time, '2026-12-07T09:41:07Z');
    assert.equal(describeTarget({ username: 'alice', id: '7' }), 'username alice, id 7');
  });

  test('a malformed record is read without trusting its shape', () => {
    const entry = auditEntryOf({
      sequenceNumber: '9',
      'detail-type': 'Callsight Audit',
      detail: { actor: 7, target: { a: 'x', b: { nested: true } }, outcome: 'maybe', status: 'nope' },
    });
    assert.deepEqual(
      [entry.actor, entry.action, entry.outcome, entry.status, entry.target, entry.time],
      ['?', '?', 'failure', null, { a: 'x' }, null],
    );
  });

  test('bounded: the oldest go beyond the cap, and their action counts with them', () => {
    const log = new AuditLog(4);
    for (let i = 0; i < 3; i++) log.append(audit('auth.logout'));
    for (let i = 0; i < 4; i++) log.append(audit('auth.login'));
    assert.ok(log.entries.length <= 5, `${log.entries.length} kept`);
    for (let i = 0; i < 10; i++) log.append(audit('auth.login'));
    assert.equal(log.entries.length <= 5, true);
    assert.deepEqual(log.actions(), [['auth.login', log.entries.length]]);
  });

  test('the Messages filter sub-type of an audit record is its action', () => {
    assert.equal(subTypeOf(audit('DELETE /api/tokens/:id'), 'Callsight Audit'), 'DELETE /api/tokens/:id');
  });
});

describe('Store: audit and erasure records', () => {
  function store() {
    const pending: (() => void)[] = [];
    const s = new Store({ schedule: (flush) => pending.push(flush) });
    return { s, flush: () => pending.splice(0).forEach((f) => f()) };
  }
  const frame = (record: StreamRecord) => ({ record, raw: JSON.stringify(record) });
  const started = (callId: string): StreamRecord => ({
    sequenceNumber: String(++seq),
    'detail-type': 'Media Insights State Change',
    time: '2026-12-07T09:40:00Z',
    detail: { callId, eventType: 'chime:MediaInsightsInProgress', fromNumber: '+1555', toNumber: '+1666' },
  });

  test('an audit record goes to the audit trail and the message list, never to a call', () => {
    const { s, flush } = store();
    s.receive([
      frame(audit('GET /api/calls/:callId/recording', { callId: 'call-1', target: { callId: 'call-1' } })),
    ]);
    flush();
    assert.equal(s.audit.entries.length, 1);
    assert.equal(s.audit.entries[0]!.callId, 'call-1');
    assert.equal(s.calls.size, 0, 'a recording download does not make a call');
    assert.equal(s.log.entries.length, 1);
    assert.equal(s.log.entries[0]!.callId, null);
  });

  test('a Callsight Call Erased record takes the call off the page', () => {
    const { s, flush } = store();
    s.receive([frame(started('call-2')), frame(started('call-3'))]);
    flush();
    assert.equal(s.calls.size, 2);
    s.receive([
      frame({
        sequenceNumber: String(++seq),
        'detail-type': 'Callsight Call Erased',
        detail: { callId: 'call-2', erasedAt: '2026-12-07T10:00:00Z', removed: { records: 3 } },
      }),
    ]);
    flush();
    assert.equal(s.calls.get('call-2'), undefined);
    assert.ok(s.calls.get('call-3'));
    assert.equal(s.calls.forget('call-2'), false, 'already gone');
    assert.deepEqual(
      s.log.entries.map((e) => e.callId ?? e.type),
      ['call-3', 'Callsight Call Erased'],
      "the call's messages go with it; the erasure record stays",
    );
    assert.equal(s.forgetCall('call-2'), false, 'nothing of it is left');
  });
});

describe('admin forms', () => {
  test('agent patterns: one per line, commas kept inside a pattern', () => {
    assert.deepEqual(parsePatterns(' ^\\+1555\\d{1,3}$ \n\nsip:alice@\n'), [
      '^\\+1555\\d{1,3}$',
      'sip:alice@',
    ]);
  });

  test('a token is active, revoked or expired', () => {
    const token: Token = {
      id: 't',
      name: 'ci',
      role: 'viewer',
      createdBy: 'admin',
      createdAt: '2026-12-01T00:00:00Z',
      expiresAt: '2026-12-10T00:00:00Z',
      revoked: false,
    };
    const now = Date.parse('2026-12-07T00:00:00Z');
    assert.equal(tokenState(token, now), 'active');
    assert.equal(tokenState({ ...token, expiresAt: null }, now + 1e12), 'active');
    assert.equal(tokenState(token, Date.parse('2026-12-10T00:00:00Z')), 'expired');
    assert.equal(tokenState({ ...token, revoked: true }, now), 'revoked');
  });
});
