import type { Config } from './config/Config.js';
import { AllowList } from '../sip/access/AllowList.js';
import { parseDigestAlgorithms } from '../sip/access/DigestAlgorithm.js';
import { DigestAuthenticator, parseDigestUsers } from '../sip/access/DigestAuth.js';

export interface SipAccess {
  readonly allowList: AllowList;
  readonly auth: DigestAuthenticator | null;
}

/** The UAS's access control from the (already validated) `sip.*` settings. */
export function sipAccess(sip: Config['sip']): SipAccess {
  const users = parseDigestUsers(sip.authUsers);
  return {
    allowList: AllowList.parse(sip.allowedHosts),
    auth:
      users.size === 0
        ? null
        : new DigestAuthenticator({
            realm: sip.authRealm,
            users,
            algorithms: parseDigestAlgorithms(sip.authAlgorithms),
          }),
  };
}

/** What the ready log line says about access control: counts and names, never a password. */
export function describeSipAccess(access: SipAccess): Record<string, unknown> {
  return {
    allowedHosts: access.allowList.allowsEveryone ? 'any' : access.allowList.entries,
    auth: access.auth ? access.auth.toJSON() : 'off',
  };
}
