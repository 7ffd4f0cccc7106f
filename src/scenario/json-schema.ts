import { z } from 'zod';
import type { FaultRegistry } from '../faults/fault-registry.js';
import { paramsJsonSchema, type JsonSchema } from '../faults/params-json-schema.js';
import { scenarioSchema } from './scenario-schema.js';

/**
 * JSON Schema of scenario files for editors, generated from the zod schema (its input side: durations
 * as strings, defaults shown). With fault types registered, a fault's `type` is limited to their ids, a
 * precondition's to those that can be one (`asDeployed`), and each type's `params` get its own schema.
 */
export function scenarioJsonSchema(registry: FaultRegistry): JsonSchema {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  const types = registry.list();
  limitTypes(itemSchema(schema, 'faults'), types);
  limitTypes(
    itemSchema(schema, 'preconditions'),
    types.filter((t) => t.asDeployed !== undefined),
  );
  return schema;
}

/** Limits a list item's `type` to these types' ids, and gives each type's `params` its own schema. */
function limitTypes(item: JsonSchema, types: ReturnType<FaultRegistry['list']>): void {
  if (types.length === 0) return;
  const props = item.properties as Record<string, JsonSchema>;
  props.type = { ...props.type, enum: types.map((t) => t.id) };
  item.allOf = types.map((t) => ({
    if: { properties: { type: { const: t.id } }, required: ['type'] },
    then: { properties: { params: paramsJsonSchema(t) } },
  }));
}

/** The committed file's exact text: two-space JSON and a final newline. */
export function scenarioJsonSchemaText(registry: FaultRegistry): string {
  return `${JSON.stringify(scenarioJsonSchema(registry), null, 2)}\n`;
}

function itemSchema(schema: JsonSchema, list: 'faults' | 'preconditions'): JsonSchema {
  const spec = (schema.properties as Record<string, JsonSchema>).spec;
  const items = (spec.properties as Record<string, JsonSchema>)[list];
  return items.items as JsonSchema;
}
