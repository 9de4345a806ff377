/** Users and API tokens (`/api/users`, `/api/tokens`; admins only, docs/security.md). */
import { request } from './api.js';
import type { UserRole } from './permissions.js';

export interface User {
  readonly username: string;
  readonly role: UserRole;
  readonly agentPatterns: readonly string[];
  readonly disabled: boolean;
  readonly createdAt: string;
}

export interface Token {
  readonly id: string;
  readonly name: string;
  readonly role: UserRole;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revoked: boolean;
}

export async function listUsers(): Promise<User[]> {
  return (await request<{ users: User[] }>('GET', '/api/users')).users;
}

export async function addUser(user: {
  username: string;
  role: UserRole;
  password: string;
  agentPatterns: readonly string[];
}): Promise<User> {
  return (await request<{ user: User }>('POST', '/api/users', JSON.stringify(user))).user;
}

export interface UserChange {
  readonly role?: UserRole;
  readonly agentPatterns?: readonly string[];
  readonly password?: string;
  readonly disabled?: boolean;
}

export async function changeUser(username: string, change: UserChange): Promise<User> {
  const path = `/api/users/${encodeURIComponent(username)}`;
  return (await request<{ user: User }>('PATCH', path, JSON.stringify(change))).user;
}

/** Ends every session of the user (they must sign in again); resolves with how many ended. */
export async function endSessions(username: string): Promise<number> {
  const path = `/api/users/${encodeURIComponent(username)}/sessions`;
  return (await request<{ ended: number }>('DELETE', path)).ended;
}

export async function listTokens(): Promise<Token[]> {
  return (await request<{ tokens: Token[] }>('GET', '/api/tokens')).tokens;
}

/** The token's secret is in this answer and nowhere else. */
export function createToken(token: {
  name: string;
  role: UserRole;
  expiresInDays: number | null;
}): Promise<Token & { readonly token: string }> {
  return request('POST', '/api/tokens', JSON.stringify(token));
}

export function revokeToken(id: string): Promise<void> {
  return request('DELETE', `/api/tokens/${encodeURIComponent(id)}`);
}

/**
 * A new random password (the server wants at least 12 characters): 18 characters from 32 (no l, o, 0, 1) that are
 * easy to read aloud and type, 90 bits, made with the browser's CSPRNG.
 */
export function randomPassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (b) => alphabet[b % 32]).join('');
}

/** Agent patterns as typed: one per line (not split at commas: a regular expression may hold one, `\d{1,3}`). */
export function parsePatterns(text: string): string[] {
  return text
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** A token's state as the list shows it. */
export function tokenState(token: Token, now = Date.now()): 'active' | 'revoked' | 'expired' {
  if (token.revoked) return 'revoked';
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now) return 'expired';
  return 'active';
}
