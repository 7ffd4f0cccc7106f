import { z } from 'zod';
import type { AnyFaultType } from './fault-type.js';

export type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema of what a scenario may write under `params` (the schema's input side, so defaults and
 * string durations show as authored). Parts zod cannot express become `{}` rather than failing a listing.
 */
export function paramsJsonSchema(type: AnyFaultType): JsonSchema {
  const schema = z.toJSONSchema(type.params, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete schema.$schema;
  return schema;
}
