/**
 * The ConfigurationStore contract (src/configurations/ConfigurationStoreTypes.ts), run against every
 * implementation by its test file.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidStateError, ValidationError } from '../../src/platform/errors.js';
import type { ConfigurationStore } from '../../src/configurations/ConfigurationStoreTypes.js';
import {
  ConfigurationConflictError,
  ConfigurationNotFoundError,
  type CreateMediaInsightsPipelineConfigurationRequest,
  type MediaInsightsPipelineConfiguration,
} from '../../src/configurations/ConfigurationTypes.js';
import { defaultConfiguration } from '../../src/configurations/defaultConfiguration.js';
import { KDS, ROLE } from './fixtures.js';

export const origin = { region: 'us-east-1', account: '111122223333' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A clock that moves one second per reading, from 2025-01-01T00:00:00Z. */
export function steppingClock(): () => Date {
  let t = Date.parse('2025-01-01T00:00:00.000Z');
  return () => new Date((t += 1000) - 1000);
}

export function request(
  name: string,
  extra: Partial<CreateMediaInsightsPipelineConfigurationRequest> = {},
): CreateMediaInsightsPipelineConfigurationRequest {
  return {
    MediaInsightsPipelineConfigurationName: name,
    Elements: [
      {
        Type: 'AmazonTranscribeProcessor',
        AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US' },
      },
      { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: KDS } },
    ],
    ...extra,
  };
}

export interface StoreOptions {
  readonly inUse?: (configuration: MediaInsightsPipelineConfiguration) => boolean;
}

export interface ConfigurationStoreHarness {
  readonly name: string;
  readonly skip: () => string | false;
  /**
   * A store on storage no other test uses, with `origin`'s region and account and a steppingClock().
   */
  open(options?: StoreOptions): Promise<ConfigurationStore>;
}

export function configurationStoreContract(harness: ConfigurationStoreHarness): void {
  const open = (options?: StoreOptions) => harness.open(options);
  describe(`ConfigurationStore contract: ${harness.name}`, () => {
    test('create stores a configuration with Chime identity: UUID, ARN, timestamps', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const store = await open();
      const alerts = {
        Rules: [
          { Type: 'KeywordMatch', KeywordMatchConfiguration: { RuleName: 'cancel', Keywords: ['cancel'] } },
        ],
      } as const;
      const created = await store.create(
        request('sales-calls', {
          ResourceAccessRoleArn: ROLE,
          RealTimeAlertConfiguration: alerts,
          Tags: [{ Key: 'team', Value: 'sales' }],
        }),
      );
      assert.match(created.MediaInsightsPipelineConfigurationId, UUID);
      assert.deepEqual(created, {
        MediaInsightsPipelineConfigurationName: 'sales-calls',
        MediaInsightsPipelineConfigurationArn:
          'arn:callsight:chime:us-east-1:111122223333:media-insights-pipeline-configuration/sales-calls',
        ResourceAccessRoleArn: ROLE,
        RealTimeAlertConfiguration: alerts,
        Elements: request('x').Elements,
        MediaInsightsPipelineConfigurationId: created.MediaInsightsPipelineConfigurationId,
        CreatedTimestamp: '2025-01-01T00:00:00.000Z',
        UpdatedTimestamp: '2025-01-01T00:00:00.000Z',
      });
      // Optional members that were not given are absent, not null.
      const plain = await store.create(request('plain'));
      assert.equal('ResourceAccessRoleArn' in plain, false);
      assert.equal('RealTimeAlertConfiguration' in plain, false);
      await store.close();
    });

    test('get and find accept the name, the id or the ARN', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const store = await open();
      const created = await store.create(request('lookup-me'));
      for (const identifier of [
        'lookup-me',
        created.MediaInsightsPipelineConfigurationId,
        created.MediaInsightsPipelineConfigurationId.toUpperCase(),
        created.MediaInsightsPipelineConfigurationArn,
      ]) {
        assert.deepEqual(await store.get(identifier), created, identifier);
      }
      assert.equal(await store.find('other'), null);
      // An ARN of another account or region is not ours.
      assert.equal(
        await store.find(
          'arn:aws:chime:us-east-1:111122223333:media-insights-pipeline-configuration/lookup-me',
        ),
        null,
      );
      await assert.rejects(store.get('missing'), (err: unknown) => {
        assert.ok(err instanceof ConfigurationNotFoundError);
        assert.equal(err.code, 'CS_ERR_NOT_FOUND');
        assert.equal(err.status, 404);
        assert.equal(err.exception, 'NotFoundException');
        return true;
      });
      await store.close();
    });

    test('names are unique (ConflictException); a retried create with the same token returns the original', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const store = await open();
      const first = await store.create(request('unique', { ClientRequestToken: 'token-1' }));
      await assert.rejects(store.create(request('unique')), (err: unknown) => {
        assert.ok(err instanceof ConfigurationConflictError);
        assert.equal(err.code, 'CS_ERR_CONFIGURATION_CONFLICT');
        assert.equal(err.status, 409);
        assert.equal(err.exception, 'ConflictException');
        assert.match(err.message, /named unique already exists/);
        return true;
      });
      assert.deepEqual(await store.create(request('unique', { ClientRequestToken: 'token-1' })), first);
      await assert.rejects(
        store.create(request('unique', { ClientRequestToken: 'token-1', ResourceAccessRoleArn: ROLE })),
        /ClientRequestToken token-1 was used to create unique with a different body/,
      );
      await store.close();
    });

    test('update replaces role, alerts and elements, keeps id and creation time, bumps UpdatedTimestamp', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const store = await open();
      const created = await store.create(
        request('updatable', {
          ResourceAccessRoleArn: ROLE,
          RealTimeAlertConfiguration: { Disabled: true },
        }),
      );
      const elements = [
        {
          Type: 'AmazonTranscribeProcessor',
          AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US', FilterPartialResults: true },
        },
        { Type: 'KinesisDataStreamSink' },
      ] as const;
      const updated = await store.update(created.MediaInsightsPipelineConfigurationArn, {
        Elements: elements,
      });
      assert.deepEqual(updated, {
        MediaInsightsPipelineConfigurationName: 'updatable',
        MediaInsightsPipelineConfigurationArn: created.MediaInsightsPipelineConfigurationArn,
        Elements: elements,
        MediaInsightsPipelineConfigurationId: created.MediaInsightsPipelineConfigurationId,
        CreatedTimestamp: '2025-01-01T00:00:00.000Z',
        UpdatedTimestamp: '2025-01-01T00:00:01.000Z',
      });
      assert.deepEqual(await store.get('updatable'), updated);
      await assert.rejects(store.update('nope', { Elements: elements }), ConfigurationNotFoundError);
      await store.close();
    });

    test('CallsightRetentionDays (Callsight extension) is stored, returned, replaced by an update', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const store = await open();
      const created = await store.create(request('kept-a-week', { CallsightRetentionDays: 7 }));
      assert.equal(created.CallsightRetentionDays, 7);
      assert.equal((await store.get('kept-a-week')).CallsightRetentionDays, 7);
      const { Elements } = created;
      assert.equal(
        (await store.update('kept-a-week', { Elements, CallsightRetentionDays: 30 })).CallsightRetentionDays,
        30,
      );
      const cleared = await store.update('kept-a-week', { Elements });
      assert.equal('CallsightRetentionDays' in cleared, false);
      // A file's configuration whose retention changed is refreshed.
      const refreshed = await store.ensureDefault(
        request('kept-a-week', { Elements, CallsightRetentionDays: 1 }),
      );
      assert.equal(refreshed.action, 'updated');
      assert.equal(refreshed.configuration.CallsightRetentionDays, 1);
      await store.close();
    });

    test('delete removes; a missing one is NotFound; one in use is a Conflict', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const busy = new Set<string>(['busy']);
      const store = await open({
        inUse: (c: MediaInsightsPipelineConfiguration) => busy.has(c.MediaInsightsPipelineConfigurationName),
      });
      const gone = await store.create(request('gone'));
      await store.create(request('busy'));
      await store.delete(gone.MediaInsightsPipelineConfigurationId);
      assert.equal(await store.find('gone'), null);
      await assert.rejects(store.delete('gone'), ConfigurationNotFoundError);
      await assert.rejects(store.delete('busy'), (err: unknown) => {
        assert.ok(err instanceof ConfigurationConflictError);
        assert.match(err.message, /busy is in use/);
        return true;
      });
      busy.clear();
      await store.delete('busy');
      assert.deepEqual((await store.list()).MediaInsightsPipelineConfigurations, []);
      await store.close();
    });

    test('list pages by name with NextToken and MaxResults', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const store = await open();
      const names = ['echo', 'alpha', 'delta', 'charlie', 'bravo'];
      const byName = new Map<string, MediaInsightsPipelineConfiguration>();
      for (const name of names) byName.set(name, await store.create(request(name)));

      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await store.list({ maxResults: 2, ...(token ? { nextToken: token } : {}) });
        pages++;
        for (const summary of page.MediaInsightsPipelineConfigurations) {
          const full = byName.get(summary.MediaInsightsPipelineConfigurationName)!;
          assert.deepEqual(summary, {
            MediaInsightsPipelineConfigurationName: full.MediaInsightsPipelineConfigurationName,
            MediaInsightsPipelineConfigurationId: full.MediaInsightsPipelineConfigurationId,
            MediaInsightsPipelineConfigurationArn: full.MediaInsightsPipelineConfigurationArn,
          });
          seen.push(summary.MediaInsightsPipelineConfigurationName);
        }
        token = page.NextToken;
      } while (token);
      assert.equal(pages, 3);
      assert.deepEqual(seen, ['alpha', 'bravo', 'charlie', 'delta', 'echo']);

      const all = await store.list();
      assert.equal(all.MediaInsightsPipelineConfigurations.length, 5);
      assert.equal('NextToken' in all, false, 'no NextToken on the last page');
      const exact = await store.list({ maxResults: 5 });
      assert.equal(exact.NextToken, undefined);

      for (const maxResults of [0, 101, 1.5]) {
        await assert.rejects(store.list({ maxResults }), (err: unknown) => {
          assert.ok(err instanceof ValidationError);
          assert.deepEqual(err.problems, [
            { path: 'MaxResults', message: 'Must be an integer from 1 to 100' },
          ]);
          return true;
        });
      }
      await assert.rejects(store.list({ nextToken: 'garbage!' }), (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.deepEqual(err.problems, [{ path: 'NextToken', message: 'Not a token this server issued' }]);
        return true;
      });
      await store.close();
    });

    test('ensureDefault creates, leaves alone, refreshes from a changed file, or keeps REST edits', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const store = await open();
      const builtIn = defaultConfiguration(origin);
      const created = await store.ensureDefault(builtIn);
      assert.equal(created.action, 'created');
      assert.equal(created.configuration.MediaInsightsPipelineConfigurationName, 'callsight-default');

      const again = await store.ensureDefault(builtIn);
      assert.equal(again.action, 'unchanged');
      assert.deepEqual(again.configuration, created.configuration);

      const edited = {
        ...builtIn,
        Elements: [
          {
            Type: 'AmazonTranscribeProcessor',
            AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US', FilterPartialResults: true },
          },
          ...builtIn.Elements.slice(1),
        ],
      } as CreateMediaInsightsPipelineConfigurationRequest;
      const kept = await store.ensureDefault(edited, { refresh: false });
      assert.equal(kept.action, 'unchanged');
      assert.deepEqual(kept.configuration.Elements, builtIn.Elements);

      const refreshed = await store.ensureDefault(edited);
      assert.equal(refreshed.action, 'updated');
      assert.deepEqual(refreshed.configuration.Elements, edited.Elements);
      assert.equal(
        refreshed.configuration.MediaInsightsPipelineConfigurationId,
        created.configuration.MediaInsightsPipelineConfigurationId,
      );
      assert.notEqual(refreshed.configuration.UpdatedTimestamp, created.configuration.UpdatedTimestamp);
      await store.close();
    });

    test('close() is idempotent and every method rejects afterwards', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const store = await open();
      await store.create(request('before-close'));
      await store.close();
      await store.close();
      assert.equal(store.closed, true);
      await assert.rejects(store.create(request('after')), InvalidStateError);
      await assert.rejects(store.get('before-close'), InvalidStateError);
      await assert.rejects(store.find('before-close'), InvalidStateError);
      await assert.rejects(store.update('before-close', { Elements: [] }), InvalidStateError);
      await assert.rejects(store.delete('before-close'), InvalidStateError);
      await assert.rejects(store.list(), InvalidStateError);
      await assert.rejects(store.ensureDefault(request('x')), InvalidStateError);
    });
  });
}
