import type { ScenarioProblem } from '../errors/scenario-error.js';
import { tryParseEntityId } from '../entities/entity-id.js';
import { unknownFaultTypeMessage, type FaultRegistry } from '../faults/fault-registry.js';
import { missingCapabilities, SUBSTRATE_NAMES, substratesProviding } from '../substrates/registry.js';
import { formatDuration } from './duration.js';
import type { ScenarioDocument } from './scenario-schema.js';
import type { YamlSource } from './yaml-source.js';
import { problem, zodProblems } from './zod-problems.js';

/**
 * Checks that need the fault catalog. They read the raw YAML data rather than the schema's output so a
 * file with a structural mistake elsewhere still gets its fault problems reported in the same pass; where
 * the raw value is malformed the structural check has already said so and these stay quiet.
 *
 * Returns the parsed params of each fault and each precondition whose params are valid, by index.
 */
export function catalogProblems(
  data: unknown,
  source: YamlSource,
  registry: FaultRegistry,
): { problems: ScenarioProblem[]; params: Map<number, unknown>; preconditionParams: Map<number, unknown> } {
  const problems: ScenarioProblem[] = [];
  const spec = field(data, 'spec');
  // One line per fault type and substrate, however many faults or preconditions share the type.
  const refused = new Set<string>();
  const check = (list: 'faults' | 'preconditions') =>
    changeListProblems(list, field(spec, list), field(spec, 'substrates'), source, registry, refused);
  const faults = check('faults');
  const preconditions = check('preconditions');
  problems.push(...faults.problems, ...preconditions.problems);
  return { problems, params: faults.params, preconditionParams: preconditions.params };
}

/** The catalog checks of one list of changes (`spec.faults` or `spec.preconditions`); both take fault types. */
function changeListProblems(
  list: 'faults' | 'preconditions',
  items: unknown,
  substrates: unknown,
  source: YamlSource,
  registry: FaultRegistry,
  refusedSubstrates: Set<string>,
): { problems: ScenarioProblem[]; params: Map<number, unknown> } {
  const problems: ScenarioProblem[] = [];
  const params = new Map<number, unknown>();
  if (!Array.isArray(items)) return { problems, params };

  items.forEach((fault, i) => {
    const at = ['spec', list, i] as const;
    const typeId = field(fault, 'type');
    if (typeof typeId !== 'string') return;
    const type = registry.get(typeId);
    if (!type) {
      problems.push(problem(source, [...at, 'type'], unknownFaultTypeMessage(typeId, registry.ids())));
      return;
    }
    if (list === 'preconditions' && !type.asDeployed) {
      const usable = registry
        .list()
        .filter((t) => t.asDeployed)
        .map((t) => t.id);
      problems.push(
        problem(
          source,
          [...at, 'type'],
          `fault type "${type.id}" cannot be a precondition: it acts on the running app, not on how the app is deployed; precondition types: ${usable.join(', ') || 'none'}`,
        ),
      );
      return;
    }

    const rawParams = field(fault, 'params') ?? {};
    if (isRecord(rawParams)) {
      const r = type.params.safeParse(rawParams);
      if (r.success) params.set(i, r.data);
      else problems.push(...zodProblems(r.error.issues, source, type.params, [...at, 'params']));
    }

    if (Array.isArray(substrates)) {
      substrates.forEach((s, j) => {
        if (typeof s !== 'string' || !SUBSTRATE_NAMES.includes(s)) return;
        const missing = missingCapabilities(s, type.needs);
        if (missing.length === 0) return;
        if (refusedSubstrates.has(`${type.id}\0${s}`)) return;
        refusedSubstrates.add(`${type.id}\0${s}`);
        problems.push(
          problem(
            source,
            ['spec', 'substrates', j],
            `fault type "${type.id}" (spec.${list}.${i}) does not run on substrate "${s}": it needs ${missing.join(', ')}, which ${s} does not provide; it runs on: ${substratesProviding(type.needs).join(', ') || 'no registered substrate'}`,
          ),
        );
      });
    }

    const target = field(fault, 'target');
    if (typeof target === 'string') {
      const parsed = tryParseEntityId(target);
      if (parsed.ok && !type.targetKinds.includes(parsed.ref.kind)) {
        problems.push(
          problem(
            source,
            [...at, 'target'],
            `fault type "${type.id}" cannot target a ${parsed.ref.kind}; it targets: ${type.targetKinds.join(', ')}`,
          ),
        );
      }
    }
  });
  return { problems, params };
}

/** Checks across fields, on a document the schema accepted. */
export function crossFieldProblems(doc: ScenarioDocument, source: YamlSource): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const timeout = doc.spec.observe.timeout;
  doc.spec.faults.forEach((f, i) => {
    if (f.at >= timeout) {
      problems.push(
        problem(
          source,
          ['spec', 'faults', i, 'at'],
          `fault starts at ${formatDuration(f.at)}, not before observe.timeout (${formatDuration(timeout)}) ends the wait`,
        ),
      );
    }
  });
  return problems;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(v: unknown, key: string): unknown {
  return isRecord(v) ? v[key] : undefined;
}
