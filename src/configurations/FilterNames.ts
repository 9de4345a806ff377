import type { ConfigurationPlan, ConfigurationToPlan } from './ConfigurationPlan.js';
import type { ConfigurationIssue } from './ConfigurationTypes.js';

const FIELDS = ['VocabularyFilterName', 'VocabularyFilterNames'] as const;

/** A vocabulary filter a configuration names, where it names it. */
export interface NamedFilter {
  /** The element it is named in, e.g. `AmazonTranscribeProcessor`. */
  readonly element: string;
  /** Where, e.g. `Elements[0].AmazonTranscribeProcessorConfiguration.VocabularyFilterName`. */
  readonly path: string;
  readonly name: string;
}

/**
 * Each vocabulary filter a configuration names that /api/vocabulary-filters does not have, on the
 * engines Callsight filters for (Amazon Transcribe gets the names and looks them up in AWS): such a
 * name is left out when a pipeline starts, until a filter of that name is created.
 */
export function unknownFilterNames(
  configuration: ConfigurationToPlan,
  plan: ConfigurationPlan,
  known: ReadonlySet<string>,
): NamedFilter[] {
  const unknown: NamedFilter[] = [];
  for (const processor of plan.processors) {
    if (processor.kind !== 'speech-recognition' || processor.engineKind === 'amazon-transcribe') continue;
    const key = `${processor.element}Configuration`;
    const element = configuration.Elements[processor.index] as Readonly<Record<string, unknown>> | undefined;
    const config = element?.[key] as Readonly<Record<string, unknown>> | undefined;
    for (const field of FIELDS) {
      const value = config?.[field];
      if (typeof value !== 'string') continue;
      for (const name of value.split(',').map((n) => n.trim())) {
        if (name === '' || known.has(name)) continue;
        unknown.push({
          element: processor.element,
          path: `Elements[${processor.index}].${key}.${field}`,
          name,
        });
      }
    }
  }
  return unknown;
}

/** unknownFilterNames as the warnings the configuration API answers with. */
export function unknownFilterWarnings(
  configuration: ConfigurationToPlan,
  plan: ConfigurationPlan,
  known: ReadonlySet<string>,
): ConfigurationIssue[] {
  return unknownFilterNames(configuration, plan, known).map(({ element, path, name }) => ({
    path,
    message: `${element}: no vocabulary filter is named ${JSON.stringify(name)} (/api/vocabulary-filters); it is left out until one is created`,
  }));
}
