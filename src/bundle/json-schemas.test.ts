import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SCHEMAS_DIR, bundleJsonSchemas } from './json-schemas.js';

describe('committed JSON Schemas', () => {
  it.each(Object.entries(bundleJsonSchemas()))(
    '%s matches the zod schema (regenerate: npx tsx scripts/gen-bundle-schemas.ts)',
    async (name, schema) => {
      const committed: unknown = JSON.parse(await readFile(join(process.cwd(), SCHEMAS_DIR, name), 'utf8'));
      expect(committed).toEqual(schema);
    },
  );

  it('describes the manifest fields the writer fills in', () => {
    const m = bundleJsonSchemas()['manifest.schema.json'] as {
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(m.required).toEqual(
      expect.arrayContaining(['format', 'bundleId', 'scenarioId', 'times', 'manifested', 'files']),
    );
    expect(m.properties.format).toMatchObject({ const: 1 });
  });
});
