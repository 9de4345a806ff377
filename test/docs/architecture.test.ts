import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { STAGES } = createRequire(import.meta.url)('../../scripts/stage-graph.cjs') as {
  STAGES: Record<string, readonly string[]>;
};
const ARCHITECTURE = readFileSync('docs/architecture.md', 'utf8');
const README = readFileSync('README.md', 'utf8');
const COMPOSERS = new Set(['app', 'cluster']);

test('every folder of src/ is in the allowed graph, and only those', () => {
  const folders = readdirSync('src', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  assert.deepEqual([...folders].sort(), Object.keys(STAGES).sort());
});

test('docs/architecture.md draws exactly the allowed imports between the stages', () => {
  const block = /```mermaid\nflowchart TD\n([\s\S]*?)```/.exec(ARCHITECTURE)?.[1];
  assert.ok(block, 'the mermaid drawing of the graph');
  const drawn = block
    .trim()
    .split('\n')
    .map((line) => line.trim());
  const allowed = Object.entries(STAGES)
    .filter(([from]) => !COMPOSERS.has(from))
    .flatMap(([from, tos]) => tos.filter((to) => to !== 'platform').map((to) => `${from} --> ${to}`));
  assert.deepEqual([...drawn].sort(), [...allowed].sort());
});

test('what the docs say of platform, cluster and app holds in the graph', () => {
  const stages = Object.keys(STAGES).filter((name) => !COMPOSERS.has(name) && name !== 'platform');
  assert.deepEqual(STAGES.platform, [], 'platform imports nothing of ours');
  for (const name of Object.keys(STAGES).filter((n) => n !== 'platform'))
    assert.ok(STAGES[name]!.includes('platform'), `${name} may import platform`);
  for (const name of stages)
    assert.ok(!STAGES[name]!.some((to) => COMPOSERS.has(to)), `${name} imports neither app nor cluster`);
  assert.deepEqual(
    [...STAGES.cluster!].sort(),
    [...stages, 'platform'].sort(),
    'cluster may import every stage',
  );
  assert.deepEqual([...STAGES.app!].sort(), [...stages, 'cluster', 'platform'].sort(), 'app may import all');
});

test('the README names every folder of src/', () => {
  for (const folder of Object.keys(STAGES)) assert.match(README, new RegExp(`src/${folder}/`), folder);
});
