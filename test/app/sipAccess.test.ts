import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSipAccess, sipAccess } from '../../src/app/sipAccess.js';
import { loadConfig } from '../../src/app/config/Config.js';

test('sipAccess: the defaults allow every host and authenticate nobody', () => {
  const access = sipAccess(loadConfig().sip);
  assert.equal(access.allowList.allowsEveryone, true);
  assert.equal(access.auth, null);
  assert.deepEqual(describeSipAccess(access), { allowedHosts: 'any', auth: 'off' });
});

test('sipAccess: allowed hosts and digest users from the settings; the description holds no password', () => {
  const config = loadConfig({
    env: {
      CALLSIGHT_SIP_ALLOWED_HOSTS: '192.0.2.0/24,2001:db8::/32',
      CALLSIGHT_SIP_AUTH_USERS: 'trunk-a:pa55-A,trunk-b:pa55-B',
      CALLSIGHT_SIP_AUTH_REALM: 'example.com',
      CALLSIGHT_SIP_AUTH_ALGORITHMS: 'MD5,SHA-512-256',
    },
  });
  const access = sipAccess(config.sip);
  assert.equal(access.allowList.allows('192.0.2.9'), true);
  assert.equal(access.allowList.allows('198.51.100.9'), false);
  assert.ok(access.auth);
  assert.equal(access.auth.realm, 'example.com');
  assert.deepEqual(access.auth.algorithms, ['SHA-512-256', 'MD5']);
  assert.equal(access.auth.userCount, 2);
  const described = JSON.stringify(describeSipAccess(access));
  assert.equal(
    described,
    '{"allowedHosts":["192.0.2.0/24","2001:db8::/32"],"auth":{"realm":"example.com","algorithms":["SHA-512-256","MD5"],"users":2}}',
  );
  assert.ok(!described.includes('pa55'));
});
