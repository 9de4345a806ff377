import type { ConfigurationStore } from './ConfigurationStoreTypes.js';

/**
 * The `CallsightRetentionDays` of every configuration in the store that has one, name → days (what
 * RetentionSweep reads at each run; a few configurations, read every few minutes).
 */
export async function configurationRetentions(
  store: Pick<ConfigurationStore, 'list' | 'find'>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let nextToken: string | undefined;
  do {
    const page = await store.list(nextToken === undefined ? {} : { nextToken });
    for (const summary of page.MediaInsightsPipelineConfigurations) {
      const days = (await store.find(summary.MediaInsightsPipelineConfigurationName))?.CallsightRetentionDays;
      if (days !== undefined) out.set(summary.MediaInsightsPipelineConfigurationName, days);
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return out;
}
