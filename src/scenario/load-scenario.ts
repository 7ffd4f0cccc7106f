import type { RootCause } from '../entities/alias-set.js';
import { tryParseEntityId, type EntityId } from '../entities/entity-id.js';
import { ScenarioError, type ScenarioProblem } from '../errors/scenario-error.js';
import { defaultCatalog } from '../faults/catalog.js';
import type { FaultRegistry } from '../faults/fault-registry.js';
import type { Scenario, ScenarioChange, ScenarioFault } from './scenario.js';
import { API_VERSION, scenarioSchema, type ScenarioDocument } from './scenario-schema.js';
import { catalogProblems, crossFieldProblems } from './semantic-checks.js';
import { substratesProviding } from '../substrates/registry.js';
import { YamlSource, type Position } from './yaml-source.js';
import { problem, zodProblems } from './zod-problems.js';
import { readProblem } from './read-problem.js';
import { MAX_SCENARIO_BYTES } from './yaml-limits.js';
import { appInventory } from './app-inventory.js';
import { targetProblems } from './target-checks.js';
import { FileTooLargeError, readRegularFile } from '../util/safe-fs.js';

/** Everything known about one file after checking it: the scenario when valid, else its problems. */
export interface ScenarioCheck {
  file: string;
  scenario?: Scenario;
  problems: ScenarioProblem[];
  /** `metadata.id` as written (when it is a string) and where, for duplicate checks across files. */
  id?: { value: string } & Position;
}

/** Checks scenario text without throwing; problems sorted by position. */
export function checkScenarioText(
  text: string,
  file: string,
  registry: FaultRegistry = defaultCatalog(),
): ScenarioCheck {
  if (text.length > MAX_SCENARIO_BYTES) return { file, problems: [tooLarge(file)] };
  const { source, data, problems } = YamlSource.parse(text, file);
  if (problems.length > 0) return { file, problems };
  if (data === null || data === undefined) {
    return {
      file,
      problems: [
        {
          file,
          line: 1,
          col: 1,
          path: '',
          message: `empty file; a scenario starts with apiVersion: ${API_VERSION}`,
        },
      ],
    };
  }

  const rawId = (data as { metadata?: { id?: unknown } })?.metadata?.id;
  const id = typeof rawId === 'string' ? { value: rawId, ...source.locate(['metadata', 'id']) } : undefined;

  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) problems.push(...zodProblems(parsed.error.issues, source, scenarioSchema));
  const catalog = catalogProblems(data, source, registry);
  problems.push(...catalog.problems);
  if (parsed.success) {
    problems.push(...crossFieldProblems(parsed.data, source));
    problems.push(...targetProblems(parsed.data, source, appInventory(parsed.data.spec.app)));
  }
  if (problems.length > 0 || !parsed.success) return { file, id, problems: sortProblems(problems) };

  const resolved = resolve(parsed.data, catalog, registry, file);
  if ('problems' in resolved) {
    return {
      file,
      id,
      problems: resolved.problems.map((p) => problem(source, p.path, p.message)),
    };
  }
  return { file, id, problems: [], scenario: { ...resolved.scenario, sourceText: text } };
}

/** Parses and validates scenario text; throws ScenarioError listing every problem. */
export function loadScenarioText(
  text: string,
  fileName: string,
  registry: FaultRegistry = defaultCatalog(),
): Scenario {
  const r = checkScenarioText(text, fileName, registry);
  if (!r.scenario) throw new ScenarioError(r.problems);
  return r.scenario;
}

/** Reads a file and checks it; an unreadable file is one problem at 1:1. */
export async function checkScenarioFile(
  path: string,
  registry: FaultRegistry = defaultCatalog(),
): Promise<ScenarioCheck> {
  let text: string;
  try {
    // a FIFO or a device named as a scenario would block or never end; a link to a file is fine
    text = (await readRegularFile(path, { maxBytes: MAX_SCENARIO_BYTES, followLinks: true })).toString(
      'utf8',
    );
  } catch (err) {
    if (err instanceof FileTooLargeError) return { file: path, problems: [tooLarge(path)] };
    return { file: path, problems: [readProblem(path, err)] };
  }
  return checkScenarioText(text, path, registry);
}

function tooLarge(file: string): ScenarioProblem {
  return {
    file,
    line: 1,
    col: 1,
    path: '',
    message: `larger than ${MAX_SCENARIO_BYTES} bytes; a scenario is a few kilobytes`,
  };
}

/** Loads one scenario file; throws ScenarioError (exit code 2) listing every problem. */
export async function loadScenarioFile(
  path: string,
  registry: FaultRegistry = defaultCatalog(),
): Promise<Scenario> {
  const r = await checkScenarioFile(path, registry);
  if (!r.scenario) throw new ScenarioError(r.problems);
  return r.scenario;
}

export function sortProblems(problems: ScenarioProblem[]): ScenarioProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.line - b.p.line || a.p.col - b.p.col || a.i - b.i)
    .map(({ p }) => p);
}

type Resolved =
  { scenario: Scenario } | { problems: Array<{ path: Array<string | number>; message: string }> };

/** Fills in what the file left to the fault types: expected alerts, the until-condition, ground truth. */
function resolve(
  doc: ScenarioDocument,
  checked: { params: Map<number, unknown>; preconditionParams: Map<number, unknown> },
  registry: FaultRegistry,
  file: string,
): Resolved {
  const { params } = checked;
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  const declaredAlerts: string[] = [];
  const declaredCauses: EntityId[] = [];
  const declaredAliases = new Map<EntityId, Set<EntityId>>();
  const alertsByCause = new Map<EntityId, Set<string>>();

  const faults: ScenarioFault[] = doc.spec.faults.map((f, i) => {
    const type = registry.get(f.type);
    const ref = tryParseEntityId(f.target);
    // Both were checked before resolve is called; a failure here is a bug.
    if (!type || !ref.ok) throw new Error(`unchecked fault ${i} reached resolve`);
    const p = params.get(i);
    try {
      const alerts = type.expectedAlerts(ref.ref, p);
      declaredAlerts.push(...alerts);
      for (const raw of type.groundTruth(ref.ref, p)) {
        const id = tryParseEntityId(raw);
        if (id.ok) {
          declaredCauses.push(id.id);
          const set = alertsByCause.get(id.id) ?? new Set<string>();
          for (const a of alerts) set.add(a);
          alertsByCause.set(id.id, set);
        } else
          problems.push({
            path: ['spec', 'faults', i, 'type'],
            message: `fault type "${type.id}" declared an invalid root cause (a bug in the fault type): ${id.error}`,
          });
      }
      for (const [cause, aliases] of Object.entries(type.aliases?.(ref.ref, p) ?? {})) {
        const set = declaredAliases.get(cause) ?? new Set<EntityId>();
        for (const a of aliases) if (a !== cause) set.add(a);
        declaredAliases.set(cause, set);
      }
    } catch (err) {
      problems.push({
        path: ['spec', 'faults', i, 'type'],
        message: `fault type "${type.id}" failed to describe itself (a bug in the fault type): ${err instanceof Error ? err.message : String(err)}`,
      });
    }
    const fault: ScenarioFault = { type: f.type, target: ref.id, targetRef: ref.ref, params: p, atMs: f.at };
    if (f.duration !== undefined) fault.durationMs = f.duration;
    return fault;
  });
  if (problems.length > 0) return { problems };
  const preconditions = doc.spec.preconditions?.map((f, i): ScenarioChange => {
    const ref = tryParseEntityId(f.target);
    if (!registry.get(f.type) || !ref.ok) throw new Error(`unchecked precondition ${i} reached resolve`);
    return { type: f.type, target: ref.id, targetRef: ref.ref, params: checked.preconditionParams.get(i) };
  });

  const needs = new Set(
    [...doc.spec.faults, ...(doc.spec.preconditions ?? [])].flatMap((f) => registry.get(f.type)?.needs ?? []),
  );
  const substrates = doc.spec.substrates ? [...doc.spec.substrates] : substratesProviding(needs);
  if (substrates.length === 0)
    return {
      problems: [
        {
          path: ['spec', 'faults'],
          message: `no registered substrate provides everything these faults${preconditions ? ' and preconditions' : ''} need (${[...needs].join(', ')})`,
        },
      ],
    };

  const expectAlerts = doc.spec.expect?.alerts ?? unique(declaredAlerts);
  const rootCauses: RootCause[] = doc.spec.groundTruth
    ? doc.spec.groundTruth.rootCauses.map((rc) => ({ id: rc.id, aliases: rc.aliases }))
    : unique(declaredCauses).map((id) => ({ id, aliases: [...(declaredAliases.get(id) ?? [])].sort() }));
  const { observe } = doc.spec;

  return {
    scenario: {
      apiVersion: doc.apiVersion,
      kind: doc.kind,
      metadata: { ...doc.metadata },
      spec: {
        app: doc.spec.app,
        substrates,
        seed: doc.spec.seed,
        load: { rps: doc.spec.load.rps, mix: { ...doc.spec.load.mix } },
        faults,
        ...(preconditions && preconditions.length > 0 ? { preconditions } : {}),
        observe: {
          warmupMs: observe.warmup,
          window: { beforeMs: observe.window.before ?? observe.warmup, afterMs: observe.window.after },
          until: { alerts: observe.until?.alerts ?? expectAlerts, mode: observe.until?.mode ?? 'any' },
          timeoutMs: observe.timeout,
        },
        groundTruth: { rootCauses, source: doc.spec.groundTruth ? 'scenario' : 'faults' },
        expect: { alerts: expectAlerts },
        background: { profile: doc.spec.background.profile, counts: { ...doc.spec.background.counts } },
      },
      causeAlerts: Object.fromEntries(
        [...alertsByCause].map(([id, alerts]) => [id, [...alerts].filter((a) => expectAlerts.includes(a))]),
      ),
      sourceFile: file,
      sourceText: '',
    },
  };
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
