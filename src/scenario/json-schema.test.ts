import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCatalog } from '../faults/catalog.js';
import { testRegistry } from '../faults/testing/test-fault.js';
import { REPO_ROOT } from '../version.js';
import { scenarioJsonSchema, scenarioJsonSchemaText } from './json-schema.js';

type Obj = Record<string, unknown>;
const at = (o: unknown, ...keys: string[]): Obj => keys.reduce<Obj>((acc, k) => acc[k] as Obj, o as Obj);

describe('scenario.schema.json', () => {
  it('is up to date with the zod schema and the fault catalog', () => {
    const committed = readFileSync(join(REPO_ROOT, 'scenario.schema.json'), 'utf8');
    // On failure: npx tsx scripts/gen-scenario-schema.ts
    expect(committed).toBe(scenarioJsonSchemaText(defaultCatalog()));
  });

  it('describes authoring input: duration strings with defaults, required fields, no extra fields', () => {
    const schema = scenarioJsonSchema(defaultCatalog());
    expect(schema.required).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(schema.additionalProperties).toBe(false);
    const warmup = at(schema, 'properties', 'spec', 'properties', 'observe', 'properties', 'warmup');
    expect(warmup).toMatchObject({ type: 'string', default: '60s' });
    expect(new RegExp(warmup.pattern as string).test('1m30s')).toBe(true);
    expect(at(schema, 'properties', 'spec', 'properties', 'substrates', 'items')).toMatchObject({
      enum: ['local', 'kind', 'kubeconfig'],
    });
  });

  it('lists registered fault types and ties each type to its params schema', () => {
    const schema = scenarioJsonSchema(testRegistry());
    const item = at(schema, 'properties', 'spec', 'properties', 'faults', 'items');
    expect(at(item, 'properties', 'type').enum).toEqual(['test-delay', 'test-dns', 'test-errors']);
    const rules = item.allOf as Obj[];
    expect(rules).toHaveLength(3);
    expect(at(rules[0], 'if', 'properties', 'type').const).toBe('test-delay');
    expect(at(rules[0], 'then', 'properties', 'params').required).toEqual(['delayMs']);
  });
});
