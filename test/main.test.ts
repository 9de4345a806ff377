import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAIN = new URL('../dist/src/main.js', import.meta.url).pathname;
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
  license: string;
  bin: Record<string, string>;
};

describe('the callsight command', () => {
  test('--version and -v print the package version', () => {
    for (const flag of ['--version', '-v'])
      assert.equal(
        execFileSync('node', [MAIN, flag], { encoding: 'utf8' }),
        `callsight ${PACKAGE.version}\n`,
      );
  });

  test('--help lists the options, --version among them', () => {
    const help = execFileSync('node', [MAIN, '--help'], { encoding: 'utf8' });
    for (const option of ['--config FILE', '--role ROLES', '--help', '--version', 'CALLSIGHT_SIP_UDP_PORT'])
      assert.ok(help.includes(option), option);
  });

  test('the bin is the built main, and LICENSE is the license package.json names', () => {
    assert.equal(PACKAGE.bin.callsight, 'dist/src/main.js');
    assert.equal(PACKAGE.license, 'Apache-2.0');
    const license = readFileSync(new URL('../LICENSE', import.meta.url), 'utf8');
    assert.match(license, /^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
    assert.match(license, /END OF TERMS AND CONDITIONS/);
  });
});
