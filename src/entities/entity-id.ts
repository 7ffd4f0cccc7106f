import { InvalidInputError } from '../errors/invalid-input-error.js';
import { lookupKind } from './kinds.js';

/** A Kubernetes object named the way firedrill's ground truth and answers name it. */
export interface EntityRef {
  /** Absent for cluster-scoped kinds. */
  namespace?: string;
  kind: string;
  name: string;
}

/** Canonical id: `namespace/Kind/name`, or `Kind/name` for cluster-scoped kinds. */
export type EntityId = string;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const ENTITY_ID_HINT =
  'a valid id is namespace/Kind/name (e.g. shop/Deployment/cart) or, for cluster-scoped kinds, Kind/name (e.g. Node/kind-worker)';

export type ParseResult = { ok: true; ref: EntityRef; id: EntityId } | { ok: false; error: string };

/** Parse without throwing; `error` explains what is wrong and what a valid id looks like. */
export function tryParseEntityId(text: string): ParseResult {
  if (typeof text !== 'string') return { ok: false, error: `entity id must be a string; ${ENTITY_ID_HINT}` };
  const trimmed = text.trim();
  const fail = (why: string): ParseResult => ({
    ok: false,
    error: `"${trimmed}": ${why}; ${ENTITY_ID_HINT}`,
  });
  if (trimmed === '') return fail('empty entity id');
  const parts = trimmed.split('/').map((p) => p.trim());
  if (parts.some((p) => p === '')) return fail('empty segment');
  if (parts.length !== 2 && parts.length !== 3)
    return fail(`expected 2 or 3 segments, found ${parts.length}`);
  const kindText = parts.length === 3 ? parts[1] : parts[0];
  const info = lookupKind(kindText);
  if (!info) return fail(`unknown kind "${kindText}"`);
  const name = parts[parts.length - 1];
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253) return fail(`"${name}" is not a valid object name`);
  if (parts.length === 3) {
    if (!info.namespaced) return fail(`${info.kind} is cluster-scoped and takes no namespace`);
    const ns = parts[0];
    if (!DNS_LABEL.test(ns) || ns.length > 63) return fail(`"${ns}" is not a valid namespace`);
    return { ok: true, ref: { namespace: ns, kind: info.kind, name }, id: `${ns}/${info.kind}/${name}` };
  }
  if (info.namespaced) return fail(`${info.kind} is namespaced: write namespace/${info.kind}/${name}`);
  return { ok: true, ref: { kind: info.kind, name }, id: `${info.kind}/${name}` };
}

/** Parse an id, throwing InvalidInputError with the reason. */
export function parseEntityId(text: string): EntityRef {
  const r = tryParseEntityId(text);
  if (!r.ok) throw new InvalidInputError(r.error);
  return r.ref;
}

/** Canonical form of an id (`Shop/deploy/cart ` → error: namespace must be lower-case; `shop/deploy/cart` → `shop/Deployment/cart`). */
export function normalizeEntityId(text: string): EntityId {
  const r = tryParseEntityId(text);
  if (!r.ok) throw new InvalidInputError(r.error);
  return r.id;
}

export function formatEntityId(ref: EntityRef): EntityId {
  return ref.namespace ? `${ref.namespace}/${ref.kind}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

export function entityId(namespace: string | undefined, kind: string, name: string): EntityId {
  return normalizeEntityId(namespace ? `${namespace}/${kind}/${name}` : `${kind}/${name}`);
}
