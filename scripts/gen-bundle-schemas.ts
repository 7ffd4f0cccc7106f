// Writes docs/schemas/{manifest,ground_truth}.schema.json from the bundle module's zod schemas.
// Run after changing src/bundle/manifest.ts or src/bundle/ground-truth.ts:
//   npx tsx scripts/gen-bundle-schemas.ts          write the files
//   npx tsx scripts/gen-bundle-schemas.ts --check  exit 1 if a committed file is stale
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { SCHEMAS_DIR, bundleJsonSchemas } from '../src/bundle/json-schemas.js';
import { REPO_ROOT } from '../src/version.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const [name, schema] of Object.entries(bundleJsonSchemas())) {
  const path = join(REPO_ROOT, SCHEMAS_DIR, name);
  if (check) {
    const current: unknown = await readFile(path, 'utf8').then(JSON.parse, () => undefined);
    if (!isDeepStrictEqual(current, schema)) {
      console.error(`${path} is stale; run npx tsx scripts/gen-bundle-schemas.ts`);
      stale++;
    }
    continue;
  }
  // formatted the way the repository's prettier check wants it
  const options = { ...(await resolveConfig(path)), parser: 'json' };
  await writeFile(path, await format(JSON.stringify(schema), options));
  console.log(path);
}
process.exitCode = stale > 0 ? 1 : 0;
