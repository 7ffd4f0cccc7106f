import * as k8s from '@kubernetes/client-node';

interface AttributeType {
  baseName: string;
  type: string;
}
type ModelClass = { getAttributeTypeMap(): AttributeType[] };

const models = k8s as unknown as Record<string, ModelClass | undefined>;

/**
 * Fields the Kubernetes API does not define, found by walking client-node's generated model metadata
 * (`getAttributeTypeMap()`) from a top-level type such as `V1Deployment`. kubernetes-models' JSON-schema
 * validation allows unknown properties, so a misspelt `readinesProbe` would otherwise pass; this is the
 * check `kubectl apply --validate=strict` makes. Returns dotted paths like `spec.template.spec.containers[0].imagee`.
 */
export function unknownFields(value: unknown, typeName: string, path = ''): string[] {
  const type = typeName.trim();
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return [];
    return value.flatMap((v, i) => unknownFields(v, array[1] as string, `${path}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([key, v]) => unknownFields(v, map[1] as string, join(path, key)));
  }
  const model = models[type];
  if (!model || typeof model.getAttributeTypeMap !== 'function') return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const t = attributes.get(key);
    if (t === undefined) out.push(join(path, key));
    else out.push(...unknownFields(v, t, join(path, key)));
  }
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
