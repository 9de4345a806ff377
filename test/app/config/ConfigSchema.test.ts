import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { configFileJsonSchema, loadConfig } from '../../../src/app/config/Config.js';

const SCHEMA_FILE = new URL('../../../docs/config.schema.json', import.meta.url);
const EXAMPLES = new URL('../../../examples/', import.meta.url);

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
}

describe('docs/config.schema.json', () => {
  test('is current: npm run config-schema writes the same', () => {
    assert.deepEqual(
      JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')),
      JSON.parse(JSON.stringify(configFileJsonSchema())),
      'run npm run config-schema',
    );
  });

  test('every examples/*.yaml validates against it (and loads)', () => {
    const validate = validator();
    const files = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f));
    assert.ok(files.length > 0);
    for (const file of files) {
      const document = parse(readFileSync(new URL(file, EXAMPLES), 'utf8')) as Record<string, unknown>;
      assert.ok(validate(document), `${file}: ${JSON.stringify(validate.errors)}`);
      loadConfig({ file: document, env: {} });
    }
  });

  test('refuses what the loader refuses: an unknown key, a wrong type, a value out of range or list', () => {
    const validate = validator();
    for (const document of [
      { sip: { udpPort: 'five' } },
      { sip: { udpPort: 70_000 } },
      { sip: { noSuchSetting: true } },
      { stream: { backend: 'kafka' } },
      { rules: 'not a list' },
    ]) {
      assert.equal(validate(document), false, JSON.stringify(document));
      assert.throws(
        () => loadConfig({ file: document, env: {} }),
        /invalid configuration/,
        JSON.stringify(document),
      );
    }
    assert.ok(validate({ sip: { udpPort: 5070 }, log: { level: 'debug' } }));
  });
});
