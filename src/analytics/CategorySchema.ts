/**
 * Validation of call analytics categories against Transcribe's API model: names, the Rule union (one
 * filter each), 1–20 rules, EXACT targets, one sentiment per SentimentFilter, thresholds and time
 * ranges in their documented bounds. Every problem is reported with its path.
 */
import { z } from 'zod';
import { ValidationError, formatPath, type Problem } from '../platform/errors.js';
import { PARTICIPANT_ROLES, SENTIMENTS } from './AnalyticsTypes.js';
import { CATEGORY_INPUT_TYPES, type CallAnalyticsCategory } from './CategoryTypes.js';

/** Transcribe's limits: 14,400,000 ms is four hours. */
const MAX_MS = 14_400_000;

const ms = z.number().int().min(0).max(MAX_MS);
const percent = z.number().int().min(0).max(100);

const absolute = z
  .strictObject({
    StartTime: ms.optional(),
    EndTime: ms.optional(),
    First: ms.optional(),
    Last: ms.optional(),
  })
  .refine(
    (r) => (r.StartTime === undefined) === (r.EndTime === undefined),
    'StartTime and EndTime go together',
  )
  .refine(
    (r) =>
      [r.StartTime !== undefined, r.First !== undefined, r.Last !== undefined].filter(Boolean).length === 1,
    'give one of StartTime/EndTime, First or Last',
  );
const relative = z
  .strictObject({
    StartPercentage: percent.optional(),
    EndPercentage: percent.optional(),
    First: percent.optional(),
    Last: percent.optional(),
  })
  .refine(
    (r) => (r.StartPercentage === undefined) === (r.EndPercentage === undefined),
    'StartPercentage and EndPercentage go together',
  )
  .refine(
    (r) =>
      [r.StartPercentage !== undefined, r.First !== undefined, r.Last !== undefined].filter(Boolean)
        .length === 1,
    'give one of StartPercentage/EndPercentage, First or Last',
  );

const role = z.enum(PARTICIPANT_ROLES);
const ranges = { AbsoluteTimeRange: absolute.optional(), RelativeTimeRange: relative.optional() };

const rule = z.union([
  z.strictObject({
    TranscriptFilter: z.strictObject({
      TranscriptFilterType: z.literal('EXACT'),
      Targets: z.array(z.string().min(1).max(2000).regex(/\S/, 'a target needs a word')).min(1),
      ParticipantRole: role.optional(),
      Negate: z.boolean().optional(),
      ...ranges,
    }),
  }),
  z.strictObject({
    SentimentFilter: z.strictObject({
      Sentiments: z.array(z.enum(SENTIMENTS)).length(1),
      ParticipantRole: role.optional(),
      Negate: z.boolean().optional(),
      ...ranges,
    }),
  }),
  z.strictObject({
    InterruptionFilter: z.strictObject({
      Threshold: ms.optional(),
      ParticipantRole: role.optional(),
      Negate: z.boolean().optional(),
      ...ranges,
    }),
  }),
  z.strictObject({
    NonTalkTimeFilter: z.strictObject({
      Threshold: ms.optional(),
      Negate: z.boolean().optional(),
      ...ranges,
    }),
  }),
]);

const category = z.strictObject({
  CategoryName: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[0-9a-zA-Z._-]+$/, 'letters, digits, . _ - only'),
  Rules: z.array(rule).min(1).max(20),
  InputType: z.enum(CATEGORY_INPUT_TYPES).optional(),
});

const categories = z
  .array(category)
  .refine(
    (list) => new Set(list.map((c) => c.CategoryName)).size === list.length,
    'category names must be unique',
  );

/** The problems of a list of categories ([] when valid). */
export function categoryProblems(input: unknown): Problem[] {
  const result = categories.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/** Parses a list of categories or throws a ValidationError naming every problem. */
export function parseCategories(input: unknown): CallAnalyticsCategory[] {
  const problems = categoryProblems(input);
  if (problems.length > 0) throw new ValidationError('invalid call analytics categories', problems);
  return input as CallAnalyticsCategory[];
}
