import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CallsightError, errorMessage } from '../../platform/errors.js';
import { compileEventPattern, type CompiledPattern } from '../../events/EventPattern.js';
import { DigestClient } from '../../sip/access/DigestClient.js';
import { parseSipUri } from '../../sip/message/SipUri.js';
import type { SipTransportName } from '../../sip/CallHandlerTypes.js';
import type { CallDirection, ParticipantRole } from '../CallTypes.js';

/**
 * The Voice Connector's routing: where an INVITE goes. Each route matches the call with an
 * EventBridge event pattern (the same language as the event rules) over
 * `{ requestUri, fromNumber, toNumber, fromUri, toUri, source: { address, transport } }`, and either
 * relays it to SIP targets through Callsight (media anchored and tapped on both legs) or answers it
 * here (`target: local`, the listener). A route to a carrier lists several targets with a priority
 * and a weight (as Chime's origination routes) and the credentials to answer their challenges.
 * Example (YAML):
 *
 *   routes:
 *     - name: pstn-to-pbx
 *       match: { toNumber: [{ prefix: "+1800" }] }
 *       target: sip:pbx.example.com:5060;transport=tcp
 *       direction: Inbound
 *     - name: to-carrier
 *       targets:
 *         - { uri: "sip:sbc1.carrier.example.net", priority: 1 }
 *         - { uri: "sip:sbc2.carrier.example.net", priority: 2 }
 *       auth: { username: acme, passwordEnv: CARRIER_PASSWORD }
 */
const sipUri = z
  .string()
  .refine(
    (uri) => parseSipUri(uri)?.host !== undefined,
    'a sip: or sips: URI such as sip:pbx.example.com:5060',
  );

const targetSchema = z.strictObject({
  uri: sipUri,
  /** Tried in order of priority, lowest first (Chime: 1–99). */
  priority: z.number().int().min(1).max(99).default(1),
  /** Among targets of one priority, the share of calls each gets first (Chime: 1–99). */
  weight: z.number().int().min(1).max(99).default(1),
});

/** Digest credentials for the targets' 401/407 challenges; the password never sits in the file. */
const authSchema = z
  .strictObject({
    username: z.string().regex(/^[\x21-\x7e]{1,128}$/, 'printable ASCII without spaces (1–128 characters)'),
    /** Name of the environment variable holding the password. */
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional(),
    /** File holding the password (a trailing line break is dropped), e.g. a container secret. */
    passwordFile: z.string().min(1).optional(),
  })
  .refine((auth) => (auth.passwordEnv === undefined) !== (auth.passwordFile === undefined), {
    message: 'give the password as exactly one of passwordEnv, passwordFile',
  });

const routeSchema = z
  .strictObject({
    name: z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, _ . - (1–64 characters)'),
    /** Omitted: every call. */
    match: z.record(z.string(), z.unknown()).optional(),
    /** One target: `local`, or a SIP URI. */
    target: z.union([z.literal('local'), sipUri]).optional(),
    /** Several targets, with priority and weight. */
    targets: z.array(targetSchema).min(1).max(20).optional(),
    auth: authSchema.optional(),
    direction: z.enum(['Inbound', 'Outbound']).default('Inbound'),
    /** Role of the caller's leg (ch_0). Chime: the PSTN leg is CUSTOMER, the account's own leg AGENT. */
    callerRole: z.enum(['CUSTOMER', 'AGENT']).optional(),
    /** No final answer from a target in this time: CANCEL it and try the next one (503 after the last). */
    timeoutSec: z.number().min(1).max(300).default(10),
  })
  .superRefine((route, ctx) => {
    if ((route.target === undefined) === (route.targets === undefined))
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'give exactly one of target, targets' });
    if (route.auth && route.target === 'local')
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message: 'a local route has no target to authenticate to',
      });
  });

export const routesSchema = z.array(routeSchema).max(1000);

/** One SIP target of a route. */
export interface RouteTarget {
  readonly uri: string;
  readonly transport: SipTransportName;
  /** For TLS, the name the target's certificate must carry (RFC 5922). */
  readonly host: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

export interface RouteDefinition {
  readonly name: string;
  readonly pattern: CompiledPattern | null;
  /** null: answer the call here. Otherwise at least one. */
  readonly targets: readonly RouteTarget[] | null;
  /** Answers the targets' challenges; null: none configured. */
  readonly credentials: DigestClient | null;
  readonly direction: CallDirection;
  readonly callerRole: ParticipantRole;
  /** Per target. */
  readonly timeoutMs: number;
}

/** Where route passwords are read from. */
export interface RouteSecrets {
  readonly env: NodeJS.ProcessEnv;
  readFile(path: string): string;
}

const DEFAULT_SECRETS: RouteSecrets = {
  env: process.env,
  readFile: (path) => readFileSync(path, 'utf8'),
};

/** What a route's pattern sees of an INVITE. */
export interface RouteSubject {
  readonly requestUri: string;
  readonly fromNumber: string;
  readonly toNumber: string;
  readonly fromUri: string;
  readonly toUri: string;
  readonly source: { readonly address: string; readonly transport: string };
}

/**
 * Validates route documents and reads their passwords; every problem (schema, pattern, a missing
 * password) is reported with its path, never with a password.
 */
export function parseRoutes(
  input: unknown,
  where = 'routes',
  secrets: RouteSecrets = DEFAULT_SECRETS,
): RouteDefinition[] {
  const parsed = routesSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${[where, ...issue.path].join('.')}: ${issue.message}`,
    );
    throw new CallsightError('CS_ERR_CONFIG_INVALID', `invalid routes:\n  ${problems.join('\n  ')}`);
  }
  const problems: string[] = [];
  const routes = parsed.data.map((route, index): RouteDefinition => {
    let pattern: CompiledPattern | null = null;
    try {
      if (route.match && Object.keys(route.match).length > 0) pattern = compileEventPattern(route.match);
    } catch (err) {
      problems.push(`${where}.${index}.match: ${errorMessage(err)}`);
    }
    const listed =
      route.targets ?? (route.target === 'local' ? [] : [{ uri: route.target!, priority: 1, weight: 1 }]);
    let credentials: DigestClient | null = null;
    if (route.auth) {
      try {
        credentials = new DigestClient(route.auth.username, readPassword(route.auth, secrets));
      } catch (err) {
        problems.push(`${where}.${index}.auth: ${errorMessage(err)}`);
      }
    }
    return {
      name: route.name,
      pattern,
      targets: listed.length === 0 ? null : listed.map(routeTarget),
      credentials,
      direction: route.direction,
      callerRole: route.callerRole ?? (route.direction === 'Inbound' ? 'CUSTOMER' : 'AGENT'),
      timeoutMs: route.timeoutSec * 1000,
    };
  });
  const names = new Set<string>();
  for (const [index, route] of routes.entries()) {
    if (names.has(route.name)) problems.push(`${where}.${index}.name: duplicate route name "${route.name}"`);
    names.add(route.name);
  }
  if (problems.length > 0)
    throw new CallsightError('CS_ERR_CONFIG_INVALID', `invalid routes:\n  ${problems.join('\n  ')}`);
  return routes;
}

/**
 * Where a target URI is reached: `sips:` or `;transport=tls` over TLS (port 5061 by default, RFC
 * 3261 §26.2), `;transport=tcp` over TCP, else UDP (5060).
 */
function routeTarget(target: { uri: string; priority: number; weight: number }): RouteTarget {
  const uri = parseSipUri(target.uri)!;
  const named = uri.params.get('transport')?.toLowerCase();
  const transport = uri.scheme === 'sips' || named === 'tls' ? 'tls' : named === 'tcp' ? 'tcp' : 'udp';
  return { ...target, transport, host: uri.host, port: uri.port ?? (transport === 'tls' ? 5061 : 5060) };
}

/** The password named by passwordEnv or passwordFile; the error names where it looked, not what it found. */
function readPassword(
  auth: { passwordEnv?: string | undefined; passwordFile?: string | undefined },
  secrets: RouteSecrets,
): string {
  if (auth.passwordEnv !== undefined) {
    const value = secrets.env[auth.passwordEnv];
    if (!value) throw new Error(`environment variable ${auth.passwordEnv} (passwordEnv) is not set or empty`);
    return value;
  }
  let text: string;
  try {
    text = secrets.readFile(auth.passwordFile!);
  } catch (err) {
    throw new Error(
      `cannot read passwordFile ${auth.passwordFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: err },
    );
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new Error(`passwordFile ${auth.passwordFile} is empty`);
  return password;
}

/** The first route whose pattern matches, or null (the caller gets 404). */
export function chooseRoute(
  routes: readonly RouteDefinition[],
  subject: RouteSubject,
): RouteDefinition | null {
  return routes.find((route) => route.pattern === null || route.pattern.matches(subject)) ?? null;
}

/** With no routes configured, Callsight answers every call itself (the listener of the quick start). */
export const ANSWER_EVERYTHING: readonly RouteDefinition[] = Object.freeze([
  {
    name: 'answer-every-call',
    pattern: null,
    targets: null,
    credentials: null,
    direction: 'Inbound',
    callerRole: 'CUSTOMER',
    timeoutMs: 10_000,
  },
]);
