import { z } from 'zod';
import { CallsightError, errorMessage } from '../../platform/errors.js';
import { compileEventPattern, type CompiledPattern } from '../../events/EventPattern.js';
import { parseSipUri } from '../../sip/message/SipUri.js';
import type { SipTransportName } from '../../sip/CallHandlerTypes.js';
import type { CallDirection, ParticipantRole } from '../CallTypes.js';

/**
 * The Voice Connector's routing: where an INVITE goes. Each route matches the call with an
 * EventBridge event pattern (the same language as the event rules) over
 * `{ requestUri, fromNumber, toNumber, fromUri, toUri, source: { address, transport } }`, and either
 * relays it to a SIP target through Callsight (media anchored and tapped on both legs) or answers it
 * here (`target: local`, the listener). Example (YAML):
 *
 *   routes:
 *     - name: pstn-to-pbx
 *       match: { toNumber: [{ prefix: "+1800" }] }
 *       target: sip:pbx.example.com:5060;transport=tcp   # or sips:sbc.example.com (TLS, port 5061)
 *       direction: Inbound
 */
const routeSchema = z.strictObject({
  name: z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, _ . - (1–64 characters)'),
  /** Omitted: every call. */
  match: z.record(z.string(), z.unknown()).optional(),
  target: z.union([
    z.literal('local'),
    z
      .string()
      .refine(
        (uri) => parseSipUri(uri)?.host !== undefined,
        'a sip: or sips: URI such as sip:pbx.example.com:5060',
      ),
  ]),
  direction: z.enum(['Inbound', 'Outbound']).default('Inbound'),
  /** Role of the caller's leg (ch_0). Chime: the PSTN leg is CUSTOMER, the account's own leg AGENT. */
  callerRole: z.enum(['CUSTOMER', 'AGENT']).optional(),
  /** No final answer from the target in this time: CANCEL it and answer the caller 503. */
  timeoutSec: z.number().min(1).max(300).default(10),
});

export const routesSchema = z.array(routeSchema).max(1000);

export interface RouteDefinition {
  readonly name: string;
  readonly pattern: CompiledPattern | null;
  /** null: answer the call here. */
  readonly target: RouteTarget | null;
  readonly direction: CallDirection;
  readonly callerRole: ParticipantRole;
  readonly timeoutMs: number;
}

export interface RouteTarget {
  readonly uri: string;
  readonly transport: SipTransportName;
  /** For TLS, the name the target's certificate must carry (RFC 5922). */
  readonly host: string;
  readonly port: number;
}

/**
 * Where a target URI is reached: `sips:` or `;transport=tls` over TLS (port 5061 by default, RFC
 * 3261 §26.2), `;transport=tcp` over TCP, else UDP (5060).
 */
export function routeTarget(text: string): RouteTarget {
  const uri = parseSipUri(text)!;
  const named = uri.params.get('transport')?.toLowerCase();
  const transport = uri.scheme === 'sips' || named === 'tls' ? 'tls' : named === 'tcp' ? 'tcp' : 'udp';
  return { uri: text, transport, host: uri.host, port: uri.port ?? (transport === 'tls' ? 5061 : 5060) };
}

/** What a route's pattern sees of an INVITE. */
export interface RouteSubject {
  readonly requestUri: string;
  readonly fromNumber: string;
  readonly toNumber: string;
  readonly fromUri: string;
  readonly toUri: string;
  readonly source: { readonly address: string; readonly transport: string };
}

/** Validates route documents; every problem (schema or pattern) is reported with its path. */
export function parseRoutes(input: unknown, where = 'routes'): RouteDefinition[] {
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
    let target: RouteDefinition['target'] = null;
    if (route.target !== 'local') {
      target = routeTarget(route.target);
    }
    return {
      name: route.name,
      pattern,
      target,
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
    target: null,
    direction: 'Inbound',
    callerRole: 'CUSTOMER',
    timeoutMs: 10_000,
  },
]);
