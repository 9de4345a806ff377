import type { Store } from '../state/Store.js';
import { AuditTrail } from './AuditTrail.js';
import Tokens from './Tokens.js';
import Users from './Users.js';

/** The admin pages, one chunk loaded only when an admin opens one of them. */
export default function Admin({ page, store }: { page: 'users' | 'tokens' | 'audit'; store: Store }) {
  if (page === 'users') return <Users />;
  if (page === 'tokens') return <Tokens />;
  return <AuditTrail store={store} />;
}
