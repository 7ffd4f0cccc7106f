// Writes scenario.schema.json (repo root) from the zod scenario schema and the default fault catalog.
// Run after changing src/scenario/scenario-schema.ts or adding a fault type:
//   npx tsx scripts/gen-scenario-schema.ts          (write)
//   npx tsx scripts/gen-scenario-schema.ts --check  (exit 1 when the committed file is stale)
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCatalog } from '../src/faults/catalog.js';
import { scenarioJsonSchemaText } from '../src/scenario/json-schema.js';
import { REPO_ROOT } from '../src/version.js';

const target = join(REPO_ROOT, 'scenario.schema.json');
const text = scenarioJsonSchemaText(defaultCatalog());

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== text) {
    process.stderr.write(`${target} is stale; run: npx tsx scripts/gen-scenario-schema.ts\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${target} is up to date\n`);
  }
} else {
  await writeFile(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
