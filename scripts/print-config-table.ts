// Prints the README's configuration table from the option list, so the docs match the code.
import { OPTIONS } from '../src/app/config/ConfigOptions.js';

const rows = OPTIONS.map(
  (o) => `| \`${o.env}\` | \`${o.path}\` | \`${JSON.stringify(o.default)}\` | ${o.doc} |`,
);
process.stdout.write(
  ['| Environment variable | Config file key | Default | Meaning |', '|---|---|---|---|', ...rows].join(
    '\n',
  ) + '\n',
);
