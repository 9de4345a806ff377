// The allowed dependency graph between the folders of src/ (scripts/stage-graph.cjs; docs/architecture.md
// draws it), and no import cycles, type-only imports included. Checked by `npm run lint` (depcruise).

const { STAGES } = require('./scripts/stage-graph.cjs');

const folders = Object.keys(STAGES);

module.exports = {
  forbidden: [
    ...folders.map((folder) => ({
      name: `${folder}-imports`,
      comment: `${folder} may import only ${[...STAGES[folder]].join(', ') || 'nothing of ours'}`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: '^src/', pathNot: [`^src/(${[folder, ...STAGES[folder]].join('|')})/`] },
    })),
    {
      name: 'no-circular',
      comment: 'no import cycles, type-only imports included',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
