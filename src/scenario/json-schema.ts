import { z } from 'zod';
import type { FaultRegistry } from '../faults/fault-registry.js';
import { paramsJsonSchema, type JsonSchema } from '../faults/params-json-schema.js';
import { scenarioSchema } from './scenario-schema.js';

/**
 * JSON Schema of scenario files for editors, generated from the zod schema (its input side: durations
 * as strings, defaults shown). With fault types registered, `type` is limited to their ids and each
 * type's `params` get that type's own schema.
 */
export function scenarioJsonSchema(registry: FaultRegistry): JsonSchema {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  const types = registry.list();
  if (types.length > 0) {
    const fault = faultItemSchema(schema);
    const props = fault.properties as Record<string, JsonSchema>;
    props.type = { ...props.type, enum: types.map((t) => t.id) };
    fault.allOf = types.map((t) => ({
      if: { properties: { type: { const: t.id } }, required: ['type'] },
      then: { properties: { params: paramsJsonSchema(t) } },
    }));
  }
  return schema;
}

/** The committed file's exact text: two-space JSON and a final newline. */
export function scenarioJsonSchemaText(registry: FaultRegistry): string {
  return `${JSON.stringify(scenarioJsonSchema(registry), null, 2)}\n`;
}

function faultItemSchema(schema: JsonSchema): JsonSchema {
  const spec = (schema.properties as Record<string, JsonSchema>).spec;
  const faults = (spec.properties as Record<string, JsonSchema>).faults;
  return faults.items as JsonSchema;
}
