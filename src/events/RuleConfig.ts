import { z } from 'zod';
import { secretRefSchema } from '../platform/secrets.js';
import { CallsightError, errorMessage } from '../platform/errors.js';
import { compileEventPattern, type CompiledPattern } from './EventPattern.js';
import { WEBHOOK_DEFAULTS } from './Webhook.js';
import { DetailType } from './DetailTypes.js';

/**
 * Event rules as the configuration file writes them: EventBridge's event pattern plus the targets
 * Callsight can invoke. Example (YAML):
 *
 *   rules:
 *     - name: transcribe-sales-calls
 *       eventPattern:
 *         detail-type: [Chime VoiceConnector Streaming Status]
 *         detail: { streamingStatus: [ALL_STARTED], voiceConnectorId: [sales] }
 *       targets:
 *         - startPipeline: transcribe-only
 */
const targetSchema = z.union([
  z.strictObject({ stream: z.strictObject({}).optional().default({}) }),
  z.strictObject({ startPipeline: z.string().min(1) }),
  z.strictObject({
    webhook: z.strictObject({
      url: z.url({ protocol: /^https?$/ }),
      maxAttempts: z.number().int().min(1).max(20).default(WEBHOOK_DEFAULTS.maxAttempts),
      initialBackoffMs: z.number().int().min(10).max(60_000).default(WEBHOOK_DEFAULTS.initialBackoffMs),
      timeoutMs: z.number().int().min(100).max(60_000).default(WEBHOOK_DEFAULTS.timeoutMs),
      /** Standard Webhooks signing secret (`whsec_…`), from an environment variable or a file. */
      secret: secretRefSchema.optional(),
    }),
  }),
]);

const ruleSchema = z.strictObject({
  name: z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, _ . - (1–64 characters)'),
  description: z.string().optional(),
  enabled: z.boolean().default(true),
  eventPattern: z.record(z.string(), z.unknown()),
  targets: z.array(targetSchema).min(1).max(5),
});

export const rulesSchema = z.array(ruleSchema).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  for (const [index, rule] of rules.entries()) {
    if (seen.has(rule.name))
      ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate rule name "${rule.name}"` });
    seen.add(rule.name);
  }
});

export type RuleTarget = z.infer<typeof targetSchema>;

export interface RuleDefinition {
  readonly name: string;
  readonly description?: string;
  readonly enabled: boolean;
  readonly pattern: CompiledPattern;
  readonly eventPattern: Readonly<Record<string, unknown>>;
  readonly targets: readonly RuleTarget[];
}

/** The seed's EventBridge rule and Lambda: every event to the stream, ALL_STARTED starts the default pipeline. */
export function defaultRules(defaultConfiguration: string): unknown[] {
  return [
    {
      name: 'forward-all-events-to-stream',
      description: 'The seed Lambda writes every event it receives to the Kinesis Data Stream.',
      eventPattern: { source: ['aws.chime', 'callsight'] },
      targets: [{ stream: {} }],
    },
    {
      name: 'start-pipeline-on-all-started',
      description: 'The seed starts a media insights pipeline when both streams of a call have started.',
      eventPattern: {
        source: ['aws.chime'],
        'detail-type': [DetailType.StreamingStatus],
        detail: { streamingStatus: ['ALL_STARTED'] },
      },
      targets: [{ startPipeline: defaultConfiguration }],
    },
  ];
}

/** Validates rule documents; every problem (schema or pattern) is reported with its path. */
export function parseRules(input: unknown, where = 'rules'): RuleDefinition[] {
  const parsed = rulesSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${[where, ...issue.path].join('.')}: ${issue.message}`,
    );
    throw new CallsightError('CS_ERR_CONFIG_INVALID', `invalid event rules:\n  ${problems.join('\n  ')}`);
  }
  const problems: string[] = [];
  const rules: RuleDefinition[] = [];
  for (const [index, rule] of parsed.data.entries()) {
    try {
      rules.push({ ...rule, pattern: compileEventPattern(rule.eventPattern) });
    } catch (err) {
      problems.push(`${where}.${index}.eventPattern: ${errorMessage(err)}`);
    }
  }
  if (problems.length > 0)
    throw new CallsightError('CS_ERR_CONFIG_INVALID', `invalid event rules:\n  ${problems.join('\n  ')}`);
  return rules;
}
