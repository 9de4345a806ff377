// Writes docs/config.schema.json, the JSON Schema of the config file, from the option table
// (test/app/config/ConfigSchema.test.ts fails when the file is not current).
import { writeFileSync } from 'node:fs';
import { configFileJsonSchema } from '../src/app/config/Config.js';

const path = new URL('../docs/config.schema.json', import.meta.url);
writeFileSync(path, `${JSON.stringify(configFileJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${path.pathname}\n`);
