import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { CallsightError, errorMessage } from '../../platform/errors.js';
import { parseRoutes, type RouteDefinition } from '../../connector/trunk/Routes.js';
import { parseRules, type RuleDefinition } from '../../events/RuleConfig.js';
import { parseCategories } from '../../analytics/CategorySchema.js';
import { parseSpeechEngines, type SpeechEngineDefinition } from '../../transcribe/SpeechEngineConfig.js';
import type { CallAnalyticsCategory } from '../../analytics/CategoryTypes.js';
import { AllowList } from '../../sip/access/AllowList.js';
import { parseDigestAlgorithms } from '../../sip/access/DigestAlgorithm.js';
import { parseDigestUsers } from '../../sip/access/DigestAuth.js';
import { parseRoles, ROLE_SYNTAX } from '../roles/Roles.js';
import { OPTIONS, type OptionSpec } from './ConfigOptions.js';
import { parseCodecList } from '../../media/codec/AudioCodecs.js';
import { issuerAllowed, parseRoleMap } from '../../access/Oidc.js';
import type { PocketsphinxProfile } from '../../transcribe/pocketsphinx/PocketsphinxOptions.js';

/** The validated, frozen configuration. Defaults and documentation: ConfigOptions.ts. */
export interface Config {
  /** `all`, or a comma-separated list of `sip`, `worker`, `gateway` (src/app/roles/Roles.ts). */
  readonly role: string;
  readonly sip: {
    readonly host: string;
    readonly udpPort: number;
    readonly tcpPort: number;
    readonly tlsPort: number;
    /** Empty: no SIP over TLS. */
    readonly tlsCertFile: string;
    readonly tlsKeyFile: string;
    readonly tlsCaFile: string;
    readonly tlsClientCaFile: string;
    /** Comma-separated certificate identities; '' allows any certificate of the client CAs. */
    readonly tlsClientAllowList: string;
    readonly maxConnections: number;
    readonly maxConnectionsPerSource: number;
    readonly messageTimeoutMs: number;
    readonly keepAliveIntervalSec: number;
    readonly advertisedAddress: string;
    /** Comma-separated CIDRs; '' allows every host. */
    readonly allowedHosts: string;
    /** `user:password,…`; '' turns digest authentication off. Never log it. */
    readonly authUsers: string;
    readonly authRealm: string;
    /** Comma-separated digest algorithms, e.g. `SHA-256,MD5`. */
    readonly authAlgorithms: string;
  };
  readonly rtp: {
    readonly host: string;
    readonly portMin: number;
    readonly portMax: number;
    readonly jitterBufferMs: number;
    readonly mediaTimeoutSec: number;
  };
  readonly media: {
    readonly encryption: 'off' | 'optional' | 'required';
    /** Comma-separated codec names, most preferred first (parsed by parseCodecList). */
    readonly codecs: string;
    readonly strictRtpSource: boolean;
  };
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly wsMaxBufferedBytes: number;
    readonly wsMaxClients: number;
    readonly wsMaxClientsPerSource: number;
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    /** Empty: this process's own address. */
    readonly publicUrl: string;
    readonly allowedHosts: string;
    readonly allowedOrigins: string;
    /** Empty: plain HTTP. */
    readonly tlsCertFile: string;
    readonly tlsKeyFile: string;
  };
  readonly auth: {
    readonly mode: 'local' | 'oidc' | 'local+oidc' | 'none';
    /** Never log it. */
    readonly bootstrapToken: string;
    readonly sessionHours: number;
    readonly recheckSeconds: number;
    /** OpenID Connect single sign-on (auth.mode oidc or local+oidc). */
    readonly oidc: {
      readonly issuer: string;
      readonly clientId: string;
      /** Never log it. */
      readonly clientSecret: string;
      readonly clientSecretFile: string;
      readonly redirectUrl: string;
      readonly scopes: string;
      readonly usernameClaim: string;
      readonly roleClaim: string;
      readonly roleMap: string;
      readonly agentClaim: string;
    };
  };
  readonly dataDir: string;
  readonly webRoot: string;
  readonly stream: {
    readonly retentionHours: number;
    readonly maxRecords: number;
    readonly maxHeldRecords: number;
    readonly backend: 'sqlite' | 'jetstream';
  };
  readonly nats: {
    /** May hold a password or token: never log it (see redactUrl). */
    readonly url: string;
    readonly streamName: string;
    readonly subjectPrefix: string;
    readonly replicas: number;
    /** Roles: prefix of the coordination subjects and streams. */
    readonly namespace: string;
  };
  readonly database: {
    readonly backend: 'sqlite' | 'postgres';
    /** May hold a password: never log it (see redactDatabaseUrl). */
    readonly url: string;
    readonly poolSize: number;
  };
  readonly recording: {
    /** Empty: `<dataDir>/recordings`. */
    readonly dir: string;
    readonly retentionDays: number;
    readonly s3Endpoint: string;
    /** Empty: no S3; recordings stay local. */
    readonly s3Bucket: string;
    readonly s3Region: string;
    readonly s3AccessKeyId: string;
    /** Never logged. */
    readonly s3SecretAccessKey: string;
    readonly s3ForcePathStyle: boolean;
  };
  readonly asr: {
    readonly workers: number;
    readonly maxDecodersPerWorker: number;
    readonly decoderWaitMs: number;
    readonly decoderIdleSeconds: number;
    readonly profile: PocketsphinxProfile;
    readonly numberPass: boolean;
    readonly languageCode: string;
    /** Empty: the pocketsphinx-en-us package's folder. */
    readonly modelDir: string;
    readonly enabled: boolean;
  };
  readonly voiceConnector: {
    readonly id: string;
    readonly region: string;
    readonly account: string;
    readonly inviteHeaders: string;
    readonly agentAorPattern: string;
    readonly targetPingIntervalSec: number;
  };
  readonly log: { readonly level: string };
  readonly analytics: { readonly workers: number };
  readonly worker: { readonly jobAckWaitMs: number; readonly sipLostAfterMs: number };
  readonly pipeline: { readonly defaultConfiguration: string; readonly defaultConfigurationFile: string };
  /** Call analytics categories from the file's `categories:` list (Amazon Transcribe's category model). */
  readonly categories: readonly CallAnalyticsCategory[];
  /** Call routes from the file's `routes:` list; null: every call is answered here. */
  readonly routes: readonly RouteDefinition[] | null;
  /** Speech engines from the file's `speechEngines:` list, besides the embedded `pocketsphinx`. */
  readonly speechEngines: readonly SpeechEngineDefinition[];
  /** Event rules from the file's `rules:` list; null means the seed's default rules. */
  readonly rules: readonly RuleDefinition[] | null;
  /**
   * Call analytics configurations from the file's `configurations:` list: Chime
   * MediaInsightsPipelineConfiguration documents, or paths of JSON/YAML files holding one.
   */
  readonly configurations: readonly unknown[];
}

function fieldSchema(option: OptionSpec): z.ZodType {
  switch (option.kind) {
    case 'string':
      return option.values ? z.enum(option.values as [string, ...string[]]) : z.string();
    case 'boolean':
      return z.boolean();
    case 'port':
      return z.number().int().min(0).max(65535);
    case 'integer':
    case 'number': {
      let schema = option.kind === 'integer' ? z.number().int() : z.number();
      if (option.min !== undefined) schema = schema.min(option.min);
      if (option.max !== undefined) schema = schema.max(option.max);
      return schema;
    }
  }
}

type Tree = { [key: string]: Tree | OptionSpec };

function optionTree(): Tree {
  const tree: Tree = {};
  for (const option of OPTIONS) {
    const parts = option.path.split('.');
    let node = tree;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Tree;
    node[parts.at(-1)!] = option;
  }
  return tree;
}

function isOption(node: Tree | OptionSpec): node is OptionSpec {
  return typeof (node as OptionSpec).path === 'string' && typeof (node as OptionSpec).env === 'string';
}

function treeSchema(tree: Tree): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, node] of Object.entries(tree))
    shape[key] = isOption(node) ? fieldSchema(node) : treeSchema(node);
  return z.strictObject(shape);
}

/** A config file's view of the tree: every setting optional, with its default and description. */
function fileTreeSchema(tree: Tree): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, node] of Object.entries(tree))
    shape[key] = isOption(node)
      ? fieldSchema(node)
          .optional()
          .meta({ description: `${node.doc} (env ${node.env})`, default: node.default })
      : fileTreeSchema(node).optional();
  return z.strictObject(shape);
}

const LIST_SECTIONS = {
  rules:
    "Event rules (EventBridge patterns and targets); absent: the seed's default rules (docs/event-rules.md).",
  routes: 'SIP trunk routes (docs/voice-connector.md).',
  categories: 'Call analytics categories (docs/configuration-analytics.md).',
  speechEngines: 'Speech engines besides the embedded pocketsphinx (docs/asr.md).',
  configurations:
    'Call analytics configurations: Chime MediaInsightsPipelineConfiguration documents, or paths of JSON/YAML files holding one.',
} as const;

/**
 * The JSON Schema (draft 2020-12) of the config file, for editors (docs/config.schema.json, written
 * by `npm run config-schema`): made from the same option table as the loader's zod schema. The list
 * sections are checked by their own loaders; here they are only arrays.
 */
export function configFileJsonSchema(): Record<string, unknown> {
  const lists = Object.fromEntries(
    Object.entries(LIST_SECTIONS).map(([key, description]) => [
      key,
      z.array(z.unknown()).optional().meta({ description }),
    ]),
  );
  const schema = fileTreeSchema(optionTree()).extend(lists);
  return {
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }),
    $id: 'https://callsight.dev/config.schema.json',
    title: 'Callsight configuration file (callsight.yaml)',
  };
}

/** Sections that are lists, not settings: checked by their own schemas (rules, configurations). */
const configSchema = treeSchema(optionTree())
  .extend({
    rules: z.array(z.unknown()).optional(),
    routes: z.array(z.unknown()).optional(),
    categories: z.array(z.unknown()).default([]),
    speechEngines: z.array(z.unknown()).default([]),
    configurations: z.array(z.unknown()).default([]),
  })
  .superRefine((value, ctx) => {
    const rtp = value.rtp as { portMin: number; portMax: number };
    if (rtp.portMin > rtp.portMax) {
      ctx.addIssue({
        code: 'custom',
        path: ['rtp', 'portMin'],
        message: 'rtp.portMin must not exceed rtp.portMax',
      });
    }
    checkSipAccess(value.sip as Config['sip'], ctx);
    try {
      parseCodecList((value.media as Config['media']).codecs);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['media', 'codecs'], message: errorMessage(err) });
    }
    if (parseRoles(value.role as string) === null)
      ctx.addIssue({ code: 'custom', path: ['role'], message: `must be ${ROLE_SYNTAX}` });
    if (!/^[A-Za-z0-9_-]{1,32}$/.test((value.nats as { namespace: string }).namespace))
      ctx.addIssue({
        code: 'custom',
        path: ['nats', 'namespace'],
        message: 'must be 1–32 letters, digits, - and _ (one subject token)',
      });
    const http = value.http as { tlsCertFile: string; tlsKeyFile: string };
    if ((http.tlsCertFile === '') !== (http.tlsKeyFile === ''))
      ctx.addIssue({
        code: 'custom',
        path: ['http', http.tlsCertFile === '' ? 'tlsCertFile' : 'tlsKeyFile'],
        message: 'http.tlsCertFile and http.tlsKeyFile go together',
      });
    checkOidc(value.auth as Config['auth'], ctx);
    const publicUrl = (value.http as { publicUrl: string }).publicUrl;
    if (publicUrl !== '' && !/^https?:\/\/[^\s/]+(?:\/\S*)?$/.test(publicUrl))
      ctx.addIssue({ code: 'custom', path: ['http', 'publicUrl'], message: 'must be an http(s) URL' });
  });

/**
 * The SIP access settings are strings with a grammar of their own: a bad CIDR, user entry or
 * algorithm stops the boot with a message naming it (never a password: the parsers leave them out).
 */
function checkSipAccess(sip: Config['sip'], ctx: z.RefinementCtx): void {
  const check = (key: keyof Config['sip'], parse: () => unknown) => {
    try {
      parse();
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['sip', key], message: errorMessage(err) });
    }
  };
  check('allowedHosts', () => AllowList.parse(sip.allowedHosts));
  check('authUsers', () => parseDigestUsers(sip.authUsers));
  check('authAlgorithms', () => parseDigestAlgorithms(sip.authAlgorithms));
  if ((sip.tlsCertFile === '') !== (sip.tlsKeyFile === ''))
    ctx.addIssue({
      code: 'custom',
      path: ['sip', sip.tlsCertFile === '' ? 'tlsCertFile' : 'tlsKeyFile'],
      message: 'sip.tlsCertFile and sip.tlsKeyFile go together',
    });
  if (sip.tlsClientAllowList !== '' && sip.tlsClientCaFile === '')
    ctx.addIssue({
      code: 'custom',
      path: ['sip', 'tlsClientAllowList'],
      message: 'needs sip.tlsClientCaFile (the CAs that sign the clients whose names it lists)',
    });
  check('authRealm', () => {
    if (!/^[\x20-\x7e]+$/.test(sip.authRealm)) throw new Error('must be printable ASCII and not empty');
  });
}

/** With auth.mode oidc or local+oidc, the provider's settings must be there and make sense. */
function checkOidc(auth: Config['auth'], ctx: z.RefinementCtx): void {
  if (auth.mode !== 'oidc' && auth.mode !== 'local+oidc') return;
  const oidc = auth.oidc;
  const issue = (key: keyof Config['auth']['oidc'], message: string) =>
    ctx.addIssue({ code: 'custom', path: ['auth', 'oidc', key], message });
  const url = z.url({ protocol: /^https?$/ });
  const claim = z.string().regex(/^[\w.:-]{1,128}$/);
  if (!url.safeParse(oidc.issuer).success)
    issue('issuer', `auth.mode ${auth.mode} needs an http(s) issuer URL`);
  else if (!issuerAllowed(new URL(oidc.issuer)))
    issue('issuer', 'must be https (plain http only on a loopback host)');
  if (oidc.clientId === '') issue('clientId', `auth.mode ${auth.mode} needs the client id`);
  if (oidc.clientSecret !== '' && oidc.clientSecretFile !== '')
    issue('clientSecretFile', 'give auth.oidc.clientSecret or auth.oidc.clientSecretFile, not both');
  if (oidc.redirectUrl !== '' && !url.safeParse(oidc.redirectUrl).success)
    issue('redirectUrl', 'must be an http(s) URL');
  if (!claim.safeParse(oidc.roleClaim).success) issue('roleClaim', 'must name a claim');
  if (!claim.safeParse(oidc.usernameClaim).success) issue('usernameClaim', 'must name a claim');
  try {
    if (parseRoleMap(oidc.roleMap).size === 0) throw new Error('must map at least one claim value to a role');
  } catch (err) {
    issue('roleMap', errorMessage(err));
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts.at(-1)!] = value;
}

function parseEnvValue(option: OptionSpec, raw: string): unknown {
  if (option.kind === 'string') return raw;
  if (option.kind === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    return raw; // the schema reports it with the variable's name
  }
  const n = Number(raw);
  return raw.trim() === '' || Number.isNaN(n) ? raw : n;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && prior && typeof prior === 'object'
        ? deepMerge(prior as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export function defaultConfigObject(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const option of OPTIONS) setPath(out, option.path, option.default);
  return out;
}

/** Reads a JSON or YAML config file (by extension; anything but .json is read as YAML). */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CallsightError(
      'CS_ERR_CONFIG_INVALID',
      `cannot read config file ${path}: ${errorMessage(cause)}`,
      { cause },
    );
  }
  try {
    const parsed: unknown = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('the top level must be an object');
    return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new CallsightError(
      'CS_ERR_CONFIG_INVALID',
      `config file ${path} is not valid: ${errorMessage(cause)}`,
      { cause },
    );
  }
}

/**
 * Builds the configuration: defaults, then the config file, then environment variables (each later
 * source wins). Every problem is reported at once, each with its path and, for variables, its name.
 */
export function loadConfig(
  sources: { file?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {},
): Config {
  const fromEnv: Record<string, unknown> = {};
  const envNames = new Map<string, string>();
  for (const option of OPTIONS) {
    const raw = sources.env?.[option.env];
    if (raw !== undefined) {
      setPath(fromEnv, option.path, parseEnvValue(option, raw));
      envNames.set(option.path, option.env);
    }
  }
  const merged = deepMerge(deepMerge(defaultConfigObject(), sources.file ?? {}), fromEnv);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.path.join('.');
      const via = envNames.get(path);
      const unknownKeys =
        issue.code === 'unrecognized_keys'
          ? ` (${issue.keys.map((k) => [path, k].filter(Boolean).join('.')).join(', ')})`
          : '';
      return `${path || '(top level)'}${via ? ` (from ${via})` : ''}: ${issue.message}${unknownKeys}`;
    });
    throw new CallsightError('CS_ERR_CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const { rules, routes, categories, speechEngines, ...settings } = result.data;
  let parsedCategories: CallAnalyticsCategory[];
  try {
    parsedCategories = parseCategories(categories);
  } catch (err) {
    throw new CallsightError('CS_ERR_CONFIG_INVALID', `invalid categories: ${errorMessage(err)}`);
  }
  const agentPattern = (settings.voiceConnector as { agentAorPattern: string }).agentAorPattern;
  try {
    if (agentPattern) new RegExp(agentPattern, 'i');
  } catch (err) {
    throw new CallsightError(
      'CS_ERR_CONFIG_INVALID',
      `invalid configuration:\n  voiceConnector.agentAorPattern: ${errorMessage(err)}`,
    );
  }
  // Compiled patterns are objects of their own: freeze the lists, not their insides.
  const parsedRules = rules === undefined ? null : Object.freeze(parseRules(rules));
  // Route passwords come from the environment given (the process's) or from files.
  const parsedRoutes =
    routes === undefined
      ? null
      : Object.freeze(
          parseRoutes(routes, 'routes', {
            env: sources.env ?? {},
            readFile: (path) => readFileSync(path, 'utf8'),
          }),
        );
  return Object.freeze({
    ...deepFreeze(settings),
    rules: parsedRules,
    routes: parsedRoutes,
    categories: deepFreeze(parsedCategories),
    speechEngines: deepFreeze(parseSpeechEngines(speechEngines)),
  }) as unknown as Config;
}

/** CALLSIGHT_ variables read outside the settings table: the config file's path and demo-call's token. */
const OTHER_VARIABLES: ReadonlySet<string> = new Set([
  'CALLSIGHT_CONFIG',
  'CALLSIGHT_TOKEN',
  'CALLSIGHT_CHROMIUM',
]);
/** The tests', benchmarks' and fuzzer's own variables, inherited by the Callsight they start. */
const TOOL_PREFIXES = ['CALLSIGHT_TEST_', 'CALLSIGHT_BENCH', 'CALLSIGHT_FUZZ_'];

/**
 * The environment's CALLSIGHT_ variables that no setting reads — a misspelt name would otherwise be
 * ignored without a word. Names that the config file points at for a secret (a route's `passwordEnv`,
 * an engine's `{ env: NAME }`) are not reported. Names only: the values may be secrets.
 */
export function unreadVariables(env: NodeJS.ProcessEnv, file: Record<string, unknown> = {}): string[] {
  const read = new Set([
    ...OTHER_VARIABLES,
    ...OPTIONS.map((option) => option.env),
    ...secretVariables(file),
  ]);
  return Object.keys(env)
    .filter((name) => name.startsWith('CALLSIGHT_') && !read.has(name))
    .filter((name) => !TOOL_PREFIXES.some((prefix) => name.startsWith(prefix)))
    .sort();
}

function secretVariables(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(secretVariables);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    (key === 'passwordEnv' || key === 'env') && typeof value === 'string' ? [value] : secretVariables(value),
  );
}

/** The `--help` text: every option with its variable and default. */
export function helpText(): string {
  const rows = OPTIONS.map(
    (o) => `  ${o.env.padEnd(34)} ${o.path.padEnd(24)} default ${JSON.stringify(o.default)}\n      ${o.doc}`,
  );
  return [
    'Usage: npm run launch [-- --config FILE]   (or: callsight [--config FILE] [--role ROLES], i.e. node dist/src/main.js)',
    '',
    'Callsight: real-time call analytics. SIP/SIPREC in; transcripts and events out over WebSocket.',
    '',
    'Options:',
    '  --config FILE   JSON or YAML file with any of the settings below (also CALLSIGHT_CONFIG).',
    '  --role ROLES    all (default), or a comma list of sip, worker, gateway (also CALLSIGHT_ROLE; docs/scale-out.md).',
    '  --help, -h      Print this text.',
    '  --version, -v   Print the version.',
    '',
    'Settings (environment variable, config-file path, default). Environment variables win over the file:',
    ...rows,
  ].join('\n');
}
