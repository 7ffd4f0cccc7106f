import { ENV_CHANGES } from '../background/activities/rollout.js';
import type { SeededRandom } from '../util/seeded-random.js';
import { readinessReach, type AppModel, type AppWorkload } from './app-model.js';
import type { Pattern } from './patterns.js';
import { RECIPES, type Recipe } from './recipes.js';

/** Seconds of history before the fault a generated scenario asks for. */
const WINDOW_BEFORE_S = [30, 60, 90, 120, 150] as const;

/** A scenario as YAML data: what `firedrill validate` reads. */
export type ScenarioDraft = Record<string, unknown> & {
  metadata: { id: string; title: string; description: string; tags: string[] };
};

interface Fault {
  type: string;
  target: string;
  params: Record<string, unknown>;
  at: string;
}

function pickRecipe(
  rng: SeededRandom,
  app: AppModel,
  filter: (r: Recipe, w: AppWorkload) => boolean,
): [Recipe, AppWorkload] | undefined {
  const options = RECIPES.flatMap((r) =>
    r
      .eligible(app)
      .filter((w) => filter(r, w))
      .map((w) => [r, w] as [Recipe, AppWorkload]),
  );
  return options.length ? rng.pick(options) : undefined;
}

function fault(
  rng: SeededRandom,
  app: AppModel,
  r: Recipe,
  w: AppWorkload,
  at: number,
  partial = false,
): Fault {
  return {
    type: r.type,
    target: r.target(w, app),
    params: partial && r.partial ? r.partial(rng, w, app) : r.params(rng, w, app),
    at: `${at}s`,
  };
}

/**
 * A routine rollout of `w` with one of the harmless environment changes background rollouts make too, so
 * the change a scenario puts beside its cause is one an agent sees in any run, not a scenario's mark.
 */
function harmlessRollout(rng: SeededRandom, app: AppModel, w: AppWorkload, at: number): Fault {
  const [name, value] = rng.pick(ENV_CHANGES);
  return {
    type: 'env-override',
    target: `${app.namespace}/Deployment/${w.name}`,
    params: { name, value },
    at: `${at}s`,
  };
}

/**
 * One scenario of the pattern, drawn from the recipes and the app model; undefined when the app offers
 * nothing the pattern needs. Validation (and the corpus run) decide whether it is a task.
 */
export function composeScenario(
  rng: SeededRandom,
  app: AppModel,
  pattern: Pattern,
  id: string,
): ScenarioDraft | undefined {
  const faults: Fault[] = [];
  const tags = new Set<string>(['generated', pattern]);
  let groundTruth: string[] | undefined;
  let background: Record<string, unknown> = { profile: rng.chance(0.3) ? 'busy' : 'typical' };
  let timeoutS = 240;
  // The history before the fault, drawn alike for every pattern (its own stream, so the other draws stay
  // as they were): a length of its own to one pattern would tell which pattern a snapshot is.
  const before = `${rng.fork('window').pick(WINDOW_BEFORE_S)}s`;
  let until: Record<string, unknown> | undefined;
  const preconditions: Array<Omit<Fault, 'at'>> = [];
  const any = (): boolean => true;
  switch (pattern) {
    case 'single':
    case 'coincident': {
      const p = pickRecipe(rng, app, (r) => !r.slow || rng.chance(0.3));
      if (!p) return undefined;
      faults.push(fault(rng, app, p[0], p[1], 0));
      if (p[0].slow) timeoutS = 300;
      if (pattern === 'coincident') background = { profile: 'busy', counts: { rollout: rng.int(3, 5) } };
      break;
    }
    case 'noisy-neighbour': {
      const p = pickRecipe(rng, app, (r) => r.neighbour === true);
      if (!p) return undefined;
      faults.push(fault(rng, app, p[0], p[1], 0));
      break;
    }
    case 'multi-hop': {
      const p = pickRecipe(rng, app, (r, w) => (app.depth.get(w.name) ?? 0) >= 2 && !r.slow);
      if (!p) return undefined;
      faults.push(fault(rng, app, p[0], p[1], 0));
      break;
    }
    case 'partial': {
      const p = pickRecipe(rng, app, (r) => r.partial !== undefined);
      if (!p) return undefined;
      faults.push(fault(rng, app, p[0], p[1], 0, true));
      break;
    }
    case 'wrong-value': {
      const p = pickRecipe(rng, app, (r) => r.wrongValue === true);
      if (!p) return undefined;
      faults.push(fault(rng, app, p[0], p[1], 0));
      break;
    }
    case 'delayed': {
      const p = pickRecipe(rng, app, any);
      if (!p) return undefined;
      faults.push(fault(rng, app, p[0], p[1], rng.int(20, 60)));
      if (p[0].slow) timeoutS = 360;
      break;
    }
    case 'two-causes': {
      const first = pickRecipe(rng, app, (r) => !r.slow);
      if (!first) return undefined;
      const second = pickRecipe(
        rng,
        app,
        (r, w) => !r.slow && w.name !== first[1].name && r.type !== first[0].type,
      );
      if (!second) return undefined;
      faults.push(
        fault(rng, app, first[0], first[1], 0),
        fault(rng, app, second[0], second[1], rng.int(0, 20)),
      );
      break;
    }
    case 'distractor': {
      const cause = pickRecipe(rng, app, (r) => !r.slow && !r.link);
      if (!cause) return undefined;
      const others = app.workloads.filter((w) => w.service !== undefined && w.name !== cause[1].name);
      if (others.length === 0) return undefined;
      const at = rng.int(10, 30);
      const decoy = rng.pick(others);
      faults.push(
        harmlessRollout(rng, app, decoy, Math.max(0, at - rng.int(5, 20))),
        fault(rng, app, cause[0], cause[1], at),
      );
      groundTruth = [cause[0].target(cause[1], app)];
      break;
    }
    case 'latent': {
      const p = pickRecipe(rng, app, (r) => r.type === 'config-corruption');
      if (!p) return undefined;
      const [recipe, w] = p;
      // Either a file its readers cannot parse (they crash at start) or a valid but wrong value (a timeout
      // too short); with restart off the running pods keep the config they read, until the rollout.
      const params = rng.chance(0.5) ? { mode: 'truncate' } : recipe.params(rng, w, app);
      const at = rng.int(60, 120);
      faults.push(
        { type: recipe.type, target: recipe.target(w, app), params: { ...params, restart: false }, at: '0s' },
        harmlessRollout(rng, app, w, at),
      );
      groundTruth = [recipe.target(w, app)];
      timeoutS = 240 + at;
      break;
    }
    case 'latent-condition': {
      // A service whose liveness probe has long asked its readiness check, and an outage of something
      // that check reaches (directly or through a service that leaves its Service when not ready).
      const pairs = app.workloads
        .filter((v) => v.livenessCanAskReadiness && v.readiness.length > 0)
        .flatMap((v) => {
          const reach = readinessReach(app, v.name);
          return RECIPES.filter((r) => r.outage).flatMap((r) =>
            r
              .eligible(app)
              .filter((w) => reach.has(w.name))
              .map((w) => [v, r, w] as const),
          );
        });
      if (pairs.length === 0) return undefined;
      // The kind of outage first, then a (victim, target) pair of it: otherwise the services' many
      // scale-downs crowd out the data stores' one target each.
      const kind = rng.pick([...new Set(pairs.map(([, r]) => r.type))]);
      const [victim, recipe, w] = rng.pick(pairs.filter(([, r]) => r.type === kind));
      preconditions.push({
        type: 'liveness-asks-readiness',
        target: `${app.namespace}/Deployment/${victim.name}`,
        params: {},
      });
      const cause = {
        type: recipe.type,
        target: recipe.target(w, app),
        params: recipe.outage?.(rng, w, app) ?? {},
        at: `${rng.int(0, 30)}s`,
      };
      faults.push(cause);
      // The outage's own alert can resolve before the victim's restarts add up to a crash loop (its
      // callers stop calling once it leaves its Service): the crash loop is what the run waits for.
      until = { alerts: ['KubePodCrashLooping'], mode: 'any' };
      timeoutS = 300;
      break;
    }
  }
  const multiHop = faults.some((f) => {
    const name = f.target.split('/').pop() ?? '';
    return (app.depth.get(name.replace(/-config$/, '')) ?? 0) >= 2;
  });
  if (multiHop) tags.add('multi-hop');
  const types = [...new Set(faults.map((f) => f.type))];
  return {
    apiVersion: 'firedrill/v1',
    kind: 'Scenario',
    metadata: {
      id,
      title: `Generated incident ${id}`,
      description: `Generated (${pattern}): ${[
        ...preconditions.map((c) => `deployed with ${c.type} on ${c.target}`),
        ...faults.map((f) => `${f.type} on ${f.target} at ${f.at}`),
      ].join('; ')}`,
      tags: [...tags],
    },
    spec: {
      app: 'shop',
      seed: rng.int(1, 0xffff),
      load: { rps: rng.int(10, 14), mix: { browse: 0.5, cart: 0.3, checkout: 0.2 } },
      ...(preconditions.length > 0 ? { preconditions } : {}),
      faults,
      background,
      observe: {
        warmup: '30s',
        window: { before, after: '20s' },
        ...(pattern === 'two-causes' && types.length > 1 ? { until: { mode: 'all' } } : {}),
        ...(until ? { until } : {}),
        timeout: `${timeoutS}s`,
      },
      ...(groundTruth ? { groundTruth: { rootCauses: groundTruth.map((id2) => ({ id: id2 })) } } : {}),
    },
  };
}
