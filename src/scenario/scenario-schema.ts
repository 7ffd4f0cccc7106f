import { z } from 'zod';
import { tryParseEntityId } from '../entities/entity-id.js';
import { SUBSTRATE_NAMES } from '../substrates/registry.js';
import { durationSchema } from './duration.js';
import { ACTIVITY_KINDS } from '../background/background-action.js';
import { BACKGROUND_PROFILES } from '../background/profiles.js';

/**
 * The structure of a scenario file: the single source for validation, for the parsed types and for the
 * committed scenario.schema.json. Checks that need the fault catalog (fault type, params, substrates,
 * target kinds) run afterwards in semantic-checks.ts.
 */

export const API_VERSION = 'firedrill/v1';
export const SCENARIO_KIND = 'Scenario';
export const APPS = ['shop'] as const;
/** Request types the shop's load generator knows; `load.mix` weighs them. */
export const LOAD_OPERATIONS = ['browse', 'cart', 'checkout'] as const;

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const ALERT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const kebab = (what: string, max: number) =>
  z
    .string({ error: `${what} must be a string` })
    .max(max, { error: `${what} is longer than ${max} characters` })
    .regex(KEBAB, { error: (iss) => `"${String(iss.input)}" is not kebab-case (e.g. payment-latency)` });

/** An entity id in any spelling kubectl accepts, normalised to `namespace/Kind/name`. */
export const entityIdSchema = z
  .string({ error: 'expected an entity id string such as shop/Deployment/payment' })
  .transform((text, ctx) => {
    const r = tryParseEntityId(text);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.error });
      return z.NEVER;
    }
    return r.id;
  })
  .meta({ description: 'namespace/Kind/name, or Kind/name for cluster-scoped kinds' });

const alertName = z
  .string({ error: 'an alert name must be a string' })
  .regex(ALERT_NAME, { error: (iss) => `"${String(iss.input)}" is not a Prometheus alert name` });

const alertList = z.array(alertName).refine((a) => new Set(a).size === a.length, {
  error: 'alert names repeat',
});

const metadataSchema = z
  .strictObject({
    id: kebab('metadata.id', 63).meta({
      description: 'kebab-case id, unique among the scenarios of a corpus; names bundles and tasks',
    }),
    title: z
      .string()
      .trim()
      .min(1, { error: 'title is empty' })
      .meta({ description: 'One line for listings' }),
    description: z
      .string()
      .prefault('')
      .meta({ description: 'What the incident is, for authors; never shown to an agent' }),
    tags: z
      .array(kebab('a tag', 63))
      .refine((t) => new Set(t).size === t.length, { error: 'tags repeat' })
      .prefault([]),
  })
  .meta({ description: 'Who the scenario is' });

const loadSchema = z
  .strictObject({
    rps: z
      .number()
      .positive()
      .max(1000)
      .prefault(10)
      .meta({ description: 'Requests per second the load generator sends across all operations' }),
    mix: z
      .strictObject({
        browse: z.number().min(0).prefault(0),
        cart: z.number().min(0).prefault(0),
        checkout: z.number().min(0).prefault(0),
      })
      .refine((m) => m.browse + m.cart + m.checkout > 0, { error: 'at least one weight must be above 0' })
      .prefault({ browse: 0.6, cart: 0.3, checkout: 0.1 })
      .meta({ description: 'Relative weights of the request types (they need not sum to 1)' }),
  })
  .prefault({});

/** What a fault and a precondition both say: which fault type, on what, with which params. */
const changeFields = {
  type: z
    .string({ error: 'type must be a fault type id (see `firedrill faults`)' })
    .meta({ description: 'Fault type id, as listed by `firedrill faults`' }),
  target: entityIdSchema,
  params: z
    .record(z.string(), z.unknown(), { error: 'params must be a mapping' })
    .prefault({})
    .meta({ description: "Parameters checked against the fault type's own schema" }),
};

const faultSchema = z.strictObject({
  ...changeFields,
  at: durationSchema
    .prefault('0s')
    .meta({ description: 'When to inject, counted from the end of the warmup' }),
  duration: durationSchema.optional().meta({
    description: 'How long to hold the fault; held until capture ends when absent',
  }),
});

const preconditionSchema = z.strictObject(changeFields).meta({
  description:
    'A change the app is deployed with at every reset (a latent condition it has long had), by a fault type that can be one; never a root cause',
});

const windowSchema = z
  .strictObject({
    before: durationSchema.optional().meta({
      description: 'Signal captured before the first injection; defaults to observe.warmup',
    }),
    after: durationSchema
      .prefault('0s')
      .meta({ description: 'Keep observing this long after the until-condition is met' }),
  })
  .prefault({});

const untilSchema = z.strictObject({
  alerts: alertList.optional().meta({ description: 'Alerts to wait for; defaults to expect.alerts' }),
  mode: z
    .enum(['any', 'all'], { error: 'mode must be "any" or "all"' })
    .prefault('any')
    .meta({ description: 'Stop when any (or all) of the alerts fire' }),
});

const observeSchema = z
  .strictObject({
    warmup: durationSchema
      .prefault('60s')
      .meta({ description: 'Steady state under load before the first fault' }),
    window: windowSchema,
    until: untilSchema.optional(),
    timeout: durationSchema.prefault('5m').meta({
      description: 'Give up waiting for the alerts this long after the warmup (exit 3: not manifested)',
    }),
  })
  .prefault({});

const backgroundSchema = z
  .strictObject({
    profile: z
      .enum(BACKGROUND_PROFILES, { error: `profile must be one of: ${BACKGROUND_PROFILES.join(', ')}` })
      .prefault('typical')
      .meta({ description: 'How much routine activity runs beside the incident (quiet: none)' }),
    counts: z
      .partialRecord(z.enum(ACTIVITY_KINDS), z.number().int().min(0).max(10))
      .prefault({})
      .meta({
        description: `Actions of a kind per run, replacing the profile's (${ACTIVITY_KINDS.join(', ')})`,
      }),
  })
  .prefault({})
  .meta({
    description:
      'Routine activity beside the incident (rollouts, scaling, jobs, pods rescheduled, small blips), seeded; recorded in truth/background.json',
  });

const rootCauseSchema = z.strictObject({
  id: entityIdSchema,
  aliases: z.array(entityIdSchema).prefault([]),
});

const groundTruthSchema = z
  .strictObject({
    rootCauses: z
      .array(rootCauseSchema)
      .min(1, { error: 'list at least one root cause' })
      // ids are canonical here: two spellings of one entity would make the task unwinnable (the second
      // root cause could only be matched by a repeat, which scores nothing)
      .superRefine((causes, ctx) => {
        const first = new Map<string, number>();
        causes.forEach((rc, i) => {
          const j = first.get(rc.id);
          if (j === undefined) first.set(rc.id, i);
          else
            ctx.addIssue({
              code: 'custom',
              path: [i, 'id'],
              message: `${rc.id} is already root cause ${j} (after normalisation); no answer could match both`,
            });
        });
      }),
  })
  .meta({ description: "Overrides the root causes the faults declare; absent: the faults' own" });

const expectSchema = z.strictObject({
  alerts: alertList.optional().meta({
    description: 'Alerts the incident should raise; defaults to those the fault types declare',
  }),
});

const specSchema = z.strictObject({
  app: z
    .enum(APPS, { error: `app must be one of: ${APPS.join(', ')}` })
    .meta({ description: 'The application under test' }),
  substrates: z
    .array(
      z.enum(SUBSTRATE_NAMES as [string, ...string[]], {
        error: `a substrate is one of: ${SUBSTRATE_NAMES.join(', ')}`,
      }),
    )
    .min(1, { error: 'list at least one substrate' })
    .refine((s) => new Set(s).size === s.length, { error: 'substrates repeat' })
    .optional()
    .meta({
      description:
        'Restricts the substrates this scenario may run on; each must provide what every fault needs. ' +
        'Absent: every substrate that does',
    }),
  seed: z
    .number()
    .int()
    .min(0)
    .max(0xffffffff)
    .prefault(1)
    .meta({ description: 'Seeds the load generator and every random choice of the run' }),
  load: loadSchema,
  faults: z.array(faultSchema).min(1, { error: 'list at least one fault' }).max(20),
  preconditions: z.array(preconditionSchema).max(10).optional().meta({
    description:
      "How the app stood long before the incident: changes made to the app's manifests before each reset deploys them, so every changed workload has them from its first revision on; the manifests' own objects are put back after the run",
  }),
  observe: observeSchema,
  background: backgroundSchema,
  groundTruth: groundTruthSchema.optional(),
  expect: expectSchema.optional(),
});

export const scenarioSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION, { error: `apiVersion must be "${API_VERSION}"` }),
    kind: z.literal(SCENARIO_KIND, { error: `kind must be "${SCENARIO_KIND}"` }),
    metadata: metadataSchema,
    spec: specSchema,
  })
  .meta({
    title: 'firedrill scenario',
    description: 'A staged incident: app, substrates, load, faults, and how to observe them',
  });

/** A scenario file as parsed by the schema alone: defaults applied, durations in ms, ids normalised. */
export type ScenarioDocument = z.output<typeof scenarioSchema>;
