import { InvalidInputError } from '../errors/invalid-input-error.js';
import { lookupKind } from '../entities/kinds.js';
import { isCapability } from '../platform/capabilities.js';
import type { AnyFaultType } from './fault-type.js';

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The fault types a run may use, by id. Scenario validation, `firedrill faults` and the runner all take a
 * registry as a parameter (default: `defaultCatalog()`), so tests can inject fault types of their own.
 */
export class FaultRegistry {
  private readonly byId = new Map<string, AnyFaultType>();

  constructor(types: Iterable<AnyFaultType> = []) {
    for (const t of types) this.register(t);
  }

  /**
   * Adds a fault type. A malformed declaration is a bug in firedrill, not bad user input, so it throws a
   * plain Error that surfaces as an internal error with its stack.
   */
  register(type: AnyFaultType): this {
    const problems = declarationProblems(type);
    if (this.byId.has(type.id)) problems.push(`a fault type with id "${type.id}" is already registered`);
    if (problems.length > 0)
      throw new Error(`cannot register fault type "${type.id}": ${problems.join('; ')}`);
    this.byId.set(type.id, type);
    return this;
  }

  get(id: string): AnyFaultType | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Like `get`, for ids typed by a user (e.g. on the command line): unknown ids are bad input. */
  require(id: string): AnyFaultType {
    const t = this.byId.get(id);
    if (!t) throw new InvalidInputError(unknownFaultTypeMessage(id, this.ids()));
    return t;
  }

  /** Every registered type, sorted by id so listings and generated schemas are stable. */
  list(): AnyFaultType[] {
    return [...this.byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  ids(): string[] {
    return this.list().map((t) => t.id);
  }

  get size(): number {
    return this.byId.size;
  }
}

export function unknownFaultTypeMessage(id: string, known: readonly string[]): string {
  const tail =
    known.length === 0
      ? 'no fault types are registered (see `firedrill faults`)'
      : `known types: ${known.join(', ')}`;
  return `unknown fault type "${id}"; ${tail}`;
}

function declarationProblems(t: AnyFaultType): string[] {
  const out: string[] = [];
  if (!KEBAB.test(t.id)) out.push('id must be kebab-case (e.g. app-latency)');
  if (!t.description?.trim()) out.push('description is empty');
  if (t.needs.length === 0) out.push('declares no needs (at least the capability it acts through)');
  for (const c of t.needs) {
    if (!isCapability(c)) out.push(`unknown capability "${c}"`);
  }
  if (t.targetKinds.length === 0) out.push('declares no target kinds');
  for (const k of t.targetKinds) {
    if (lookupKind(k)?.kind !== k) out.push(`target kind "${k}" is not a canonical kind name`);
  }
  return out;
}
