import type { EntityId } from '../entities/entity-id.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { MetricPoint, MetricSeries, ObjectChange, ObjectRecord, Topology } from '../bundle/records.js';
import { CHANGE_CAUSE, describeTemplateChange } from '../kube/change-cause.js';
import type { SeededRandom } from '../util/seeded-random.js';
import type { SnapshotEditor } from './capture-snapshot.js';

const REVISION = 'deployment.kubernetes.io/revision';
const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Deployments with less room than this between their namespace's creation and their last deploy get no past. */
const MIN_ROOM_MS = 2 * DAY_MS;
/** Mean revisions before the window's (a service deployed every few days to weeks); at most MAX_REVISIONS. */
const MEAN_REVISIONS = 6;
const MAX_REVISIONS = 30;
/** Share of Deployments never changed since they were first deployed. */
const UNCHANGED_SHARE = 0.15;

interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    containers?: Array<{
      image?: string;
      env?: Array<{ name: string; value?: string }>;
      resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    }>;
    terminationGracePeriodSeconds?: number;
  };
}

/** One Deployment's past as drawn: what every record of it gets, and its kept old ReplicaSets. */
interface DeploymentPast {
  deployment: EntityId;
  namespace: string;
  /** Revisions before the one the run started on. */
  revisions: number;
  /** Spec changes before the run (each revision, plus scalings). */
  generations: number;
  createdMs: number;
  /** The ReplicaSet of the revision the run started on: its series are the old ones' model. */
  baseReplicaSet: string;
  replicaSets: Set<string>;
  old: ObjectRecord[];
  /** What `kubectl --record` wrote for the revision the run started on, when the run's team records. */
  baseCause?: string;
}

export interface PastRolloutsOptions {
  /** Whether this run's team records change causes (run-plan.ts): its past rollouts carry them too. */
  recordChangeCause: boolean;
}

const iso = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const revisionOf = (o: ObjectRecord): number => Number(o.metadata.annotations?.[REVISION] ?? NaN);
const ownerOf = (o: ObjectRecord): string | undefined =>
  o.metadata.ownerReferences?.find((r) => r.kind === 'Deployment' && r.controller !== false)?.name;

/** The release before `tag` (0.1.0 → 0.0.9 → 0.0.8 …), or undefined when it is not a plain version. */
export function previousRelease(tag: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  if (!m) return undefined;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (patch > 0) return `${major}.${minor}.${patch - 1}`;
  if (minor > 0) return `${major}.${minor - 1}.9`;
  if (major > 0) return `${major - 1}.9.9`;
  return undefined;
}

/**
 * The rollouts a Deployment had before the run. A testbed deploys its app at every reset, so each
 * Deployment would show revision 1 created at the same second as all the others, and `kubectl rollout
 * history` would have nothing to say, unlike any production cluster. Each Deployment created with its
 * first ReplicaSet (and with room after its namespace was created) gets a drawn past: an earlier
 * creation, a number of revisions spread between it and the deploy the run started on (images of earlier
 * releases of the same tag line, a memory limit raised, an environment variable dropped, a grace period
 * shortened), the last of them kept as ReplicaSets scaled to zero within its `revisionHistoryLimit`, and
 * every revision and generation after them counted on. Works on the records as the snapshot shows them
 * (times already moved into the past), so the same draw reads alike on every substrate; the kept
 * ReplicaSets get the kube-state-metrics series their current one has, at zero replicas.
 */
export class PastRollouts implements SnapshotEditor {
  private readonly pasts = new Map<string, DeploymentPast>();
  private readonly byReplicaSet = new Map<string, DeploymentPast>();

  constructor(
    private readonly rng: SeededRandom,
    private readonly options: PastRolloutsOptions = { recordChangeCause: false },
  ) {}

  edits(signal: string): boolean {
    return ['objects', 'object-changes', 'metrics', 'topology'].includes(signal);
  }

  // The snapshot's own records: the signals named here write ObjectRecords, ObjectChanges, MetricSeries.
  records(signal: string, records: unknown[]): unknown[] {
    if (signal === 'objects') return this.objects(records as ObjectRecord[]);
    if (signal === 'object-changes') return (records as ObjectChange[]).map((c) => this.change(c));
    if (signal === 'metrics') return this.series(records as MetricSeries[]);
    return records;
  }

  json(signal: string, json: unknown): unknown {
    return signal === 'topology' ? this.topology(json as Topology) : json;
  }

  /** Draws each Deployment's past from the objects at capture; returns them with it, old ReplicaSets in place. */
  objects(records: readonly ObjectRecord[]): ObjectRecord[] {
    const nsCreated = new Map<string, number>();
    for (const r of records)
      if (r.kind === 'Namespace' && r.metadata.creationTimestamp)
        nsCreated.set(r.metadata.name, Date.parse(r.metadata.creationTimestamp));
    const taken = new Set(records.map((r) => r.metadata.name));
    const deployments = records
      .filter((r) => r.kind === 'Deployment')
      .sort((a, b) => a.entity.localeCompare(b.entity));
    for (const d of deployments) {
      const ns = d.metadata.namespace ?? '';
      const own = records.filter(
        (r) => r.kind === 'ReplicaSet' && r.metadata.namespace === ns && ownerOf(r) === d.metadata.name,
      );
      const base = own.reduce<ObjectRecord | undefined>(
        (min, r) => (min === undefined || revisionOf(r) < revisionOf(min) ? r : min),
        undefined,
      );
      const rng = this.rng.fork(d.entity);
      const past = base ? this.draw(d, base, own, nsCreated.get(ns), taken, rng) : undefined;
      if (!past) continue;
      this.pasts.set(d.entity, past);
      for (const rs of own) this.byReplicaSet.set(rs.entity, past);
    }
    const out = records.map((r) => this.record(r));
    const old = [...this.pasts.values()].flatMap((p) => p.old);
    // Among the other ReplicaSets, by name, as the API server lists them.
    const firstRs = out.findIndex((r) => r.kind === 'ReplicaSet');
    if (old.length === 0) return out;
    const at = firstRs < 0 ? out.length : firstRs;
    const rsBlock = out.filter((r) => r.kind === 'ReplicaSet');
    const merged = [...rsBlock, ...old].sort((a, b) => a.entity.localeCompare(b.entity));
    return [...out.slice(0, at), ...merged, ...out.slice(at).filter((r) => r.kind !== 'ReplicaSet')];
  }

  /** A recorded change as the past reads it: revisions and generations counted on, the creation moved. */
  change(c: ObjectChange): ObjectChange {
    return {
      ...c,
      object: this.record(c.object),
      ...(c.before ? { before: this.record(c.before) } : {}),
    };
  }

  /** The series with the old ReplicaSets' added and the Deployments' generations and creation moved. */
  series(all: readonly MetricSeries[]): MetricSeries[] {
    const out: MetricSeries[] = [];
    for (const s of all) {
      const d =
        s.labels.deployment && s.labels.namespace
          ? this.deploymentPast(s.labels.namespace, s.labels.deployment)
          : undefined;
      if (d && /^kube_deployment_(metadata_generation|status_observed_generation)$/.test(s.name))
        out.push({
          ...s,
          points: s.points.map(([t, v]) => [t, typeof v === 'number' ? v + d.generations : v]),
        });
      else if (d && s.name === 'kube_deployment_created')
        out.push({ ...s, points: s.points.map(([t]) => [t, Math.floor(d.createdMs / 1000)]) });
      else out.push(s);
      const rs = s.labels.replicaset;
      const past =
        rs && s.labels.namespace
          ? this.byReplicaSet.get(`${s.labels.namespace}/ReplicaSet/${rs}`)
          : undefined;
      if (!past || rs !== past.baseReplicaSet) continue;
      for (const o of past.old) out.push(oldSeries(s, o));
    }
    return out.sort(
      (a, b) =>
        a.name.localeCompare(b.name) || JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)),
    );
  }

  /** The topology with each old ReplicaSet, owned by its Deployment. */
  topology(t: Topology): Topology {
    const old = [...this.pasts.values()].flatMap((p) => p.old.map((o) => ({ past: p, o })));
    if (old.length === 0) return t;
    return {
      entities: [
        ...t.entities,
        ...old.map(({ o }) => ({
          id: o.entity,
          kind: 'ReplicaSet',
          name: o.metadata.name,
          namespace: o.metadata.namespace,
          ...(o.metadata.labels ? { labels: o.metadata.labels } : {}),
        })),
      ].sort((a, b) => a.id.localeCompare(b.id)),
      edges: [
        ...t.edges,
        ...old.map(({ past, o }) => ({ from: past.deployment, to: o.entity, type: 'owns' as const })),
      ].sort(
        (a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.type.localeCompare(b.type),
      ),
    };
  }

  private deploymentPast(namespace: string, name: string): DeploymentPast | undefined {
    return this.pasts.get(`${namespace}/Deployment/${name}`);
  }

  private draw(
    d: ObjectRecord,
    base: ObjectRecord,
    own: readonly ObjectRecord[],
    nsCreatedMs: number | undefined,
    taken: Set<string>,
    rng: SeededRandom,
  ): DeploymentPast | undefined {
    const deployedMs = Date.parse(base.metadata.creationTimestamp ?? '');
    const createdMs = Date.parse(d.metadata.creationTimestamp ?? '');
    // Only a Deployment that looks created with its first ReplicaSet: one with a past of its own keeps it.
    if (revisionOf(base) !== 1 || !Number.isFinite(deployedMs) || Math.abs(deployedMs - createdMs) > 2000)
      return;
    if (nsCreatedMs === undefined) return;
    const room = deployedMs - nsCreatedMs - HOUR_MS;
    if (room < MIN_ROOM_MS || rng.chance(UNCHANGED_SHARE)) return;
    const revisions = Math.min(
      MAX_REVISIONS,
      1 + Math.floor(-Math.log(1 - rng.next()) * (MEAN_REVISIONS - 1)),
    );
    const firstMs = deployedMs - Math.max(MIN_ROOM_MS / 2, room * rng.between(0.25, 1));
    // Revision 1 when the Deployment was created; the others between it and the run's, whole seconds apart.
    const times = [
      firstMs,
      ...Array.from({ length: revisions - 1 }, () => rng.between(firstMs + HOUR_MS, deployedMs - HOUR_MS)),
    ]
      .map((t) => Math.floor(t / 1000) * 1000)
      .sort((a, b) => a - b);
    const limit = Number(
      (d.spec as { revisionHistoryLimit?: number } | undefined)?.revisionHistoryLimit ?? 10,
    );
    const oldAtEnd = own.filter((r) => (r.spec as { replicas?: number } | undefined)?.replicas === 0).length;
    const keep = Math.max(0, Math.min(revisions, limit - oldAtEnd));
    const ns = d.metadata.namespace ?? '';
    const past: DeploymentPast = {
      deployment: d.entity,
      namespace: ns,
      revisions,
      generations: revisions + rng.int(0, 2),
      createdMs: times[0],
      baseReplicaSet: base.metadata.name,
      replicaSets: new Set(own.map((r) => r.metadata.name)),
      old: [],
    };
    // Back from the template the run started on, one change undone per revision: templates[r] is revision r's.
    const templates: Template[] = [];
    templates[revisions + 1] = structuredClone(
      (base.spec as { template?: Template } | undefined)?.template ?? {},
    );
    for (let r = revisions; r >= 1; r--) templates[r] = undoChange(templates[r + 1], rng);
    const cause = (r: number): string | undefined =>
      this.options.recordChangeCause
        ? describeTemplateChange(
            r > 1 ? asDeployment(d.metadata.name, templates[r - 1]) : undefined,
            asDeployment(d.metadata.name, templates[r]),
          )
        : undefined;
    past.baseCause = cause(revisions + 1);
    for (let r = revisions - keep + 1; r <= revisions; r++) {
      const hash = uniqueHash(d.metadata.name, taken, rng);
      past.old.push(oldReplicaSet(base, templates[r], r, times[r - 1], hash, uuid(rng), cause(r)));
    }
    return past;
  }

  /** A record of a Deployment with a past, or of one of its ReplicaSets, as the past reads it. */
  private record(r: ObjectRecord): ObjectRecord {
    // A ReplicaSet by its owner: one the window made and removed again is not among the objects at capture.
    const owner = r.kind === 'ReplicaSet' ? ownerOf(r) : undefined;
    const past =
      r.kind === 'Deployment'
        ? this.pasts.get(r.entity)
        : owner !== undefined
          ? this.deploymentPast(r.metadata.namespace ?? '', owner)
          : undefined;
    if (!past) return r;
    const out = structuredClone(r);
    const annotations = out.metadata.annotations;
    if (annotations?.[REVISION] !== undefined && Number.isFinite(Number(annotations[REVISION])))
      annotations[REVISION] = String(Number(annotations[REVISION]) + past.revisions);
    // The run's first revision as a recording team would have left it; a later one carries its own cause.
    if (past.baseCause && annotations && annotations[CHANGE_CAUSE] === undefined)
      if (r.kind === 'Deployment' || r.metadata.name === past.baseReplicaSet)
        annotations[CHANGE_CAUSE] = past.baseCause;
    if (r.kind === 'Deployment') {
      out.metadata.creationTimestamp = iso(past.createdMs);
      if (out.metadata.generation !== undefined) out.metadata.generation += past.generations;
      const status = out.status as { observedGeneration?: number } | undefined;
      if (status?.observedGeneration !== undefined) status.observedGeneration += past.generations;
    }
    return out;
  }
}

function asDeployment(name: string, template: Template): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { template } };
}

/**
 * A pod-template-hash as the Deployment controller writes one: a 32-bit hash in decimal, each digit
 * mapped through the API machinery's safe alphabet (rand.SafeEncodeString), so only 4–9 and b, c, d, f.
 */
function uniqueHash(deployment: string, taken: Set<string>, rng: SeededRandom): string {
  for (;;) {
    const decimal = String(rng.int(1, 0xffffffff));
    const hash = [...decimal].map((ch) => HASH_ALPHABET[ch.charCodeAt(0) % HASH_ALPHABET.length]).join('');
    const name = `${deployment}-${hash}`;
    if (!taken.has(name)) {
      taken.add(name);
      return hash;
    }
  }
}

/** Settings an earlier revision of a Node.js service had and a later one dropped (`kubectl set env X-`). */
const EARLIER_ENV: ReadonlyArray<[name: string, value: string]> = [
  ['NODE_OPTIONS', '--max-old-space-size=128'],
  ['UV_THREADPOOL_SIZE', '8'],
  ['NODE_NO_WARNINGS', '1'],
  ['LOG_FORMAT', 'json'],
];

/**
 * The template one revision earlier: one change undone. An image of the release before (the shop's tag
 * line), or a setting as it was before someone changed it: a smaller memory limit (raised after a
 * close call), an environment variable since dropped, a longer grace period.
 */
function undoChange(next: Template, rng: SeededRandom): Template {
  const t = structuredClone(next);
  const c = t.spec?.containers?.[0];
  if (!c) return t;
  const [repo, tag] = splitImage(c.image ?? '');
  const older = tag ? previousRelease(tag) : undefined;
  const kind = older && rng.chance(0.55) ? 'release' : rng.pick(['memory', 'env', 'grace'] as const);
  if (kind === 'release' && older) c.image = `${repo}:${older}`;
  else if (kind === 'memory' && c.resources?.limits?.memory) {
    const mi = /^(\d+)Mi$/.exec(c.resources.limits.memory);
    if (mi) c.resources.limits.memory = `${Math.max(64, Number(mi[1]) - rng.pick([32, 64]))}Mi`;
  } else if (kind === 'env') {
    const free = EARLIER_ENV.filter(([name]) => !c.env?.some((e) => e.name === name));
    if (free.length > 0) {
      const [name, value] = rng.pick(free);
      c.env = [...(c.env ?? []), { name, value }];
    }
  }
  // Whatever was drawn, an earlier revision differs: a grace period then longer.
  if (JSON.stringify(t) === JSON.stringify(next) && t.spec)
    t.spec.terminationGracePeriodSeconds = (t.spec.terminationGracePeriodSeconds ?? 30) + rng.pick([10, 20]);
  return t;
}

function splitImage(image: string): [string, string | undefined] {
  const i = image.lastIndexOf(':');
  return i > image.lastIndexOf('/') && i >= 0 ? [image.slice(0, i), image.slice(i + 1)] : [image, undefined];
}

function oldReplicaSet(
  base: ObjectRecord,
  template: Template,
  revision: number,
  createdMs: number,
  hash: string,
  uid: string,
  cause: string | undefined,
): ObjectRecord {
  const ns = base.metadata.namespace ?? '';
  const deployment = ownerOf(base) ?? '';
  const name = `${deployment}-${hash}`;
  const labels = { ...(base.metadata.labels ?? {}), 'pod-template-hash': hash };
  const spec = structuredClone(base.spec ?? {}) as {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: Template;
  };
  spec.replicas = 0;
  if (spec.selector?.matchLabels)
    spec.selector.matchLabels = { ...spec.selector.matchLabels, 'pod-template-hash': hash };
  spec.template = {
    ...template,
    metadata: { ...template.metadata, labels: { ...template.metadata?.labels, 'pod-template-hash': hash } },
  };
  return {
    entity: `${ns}/ReplicaSet/${name}`,
    apiVersion: base.apiVersion,
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: ns,
      uid,
      labels,
      annotations: {
        ...(base.metadata.annotations ?? {}),
        [REVISION]: String(revision),
        ...(cause ? { [CHANGE_CAUSE]: cause } : {}),
      },
      ...(base.metadata.ownerReferences ? { ownerReferences: base.metadata.ownerReferences } : {}),
      creationTimestamp: iso(createdMs),
      // Created at generation 1, scaled to zero when the next revision took over.
      ...(base.metadata.generation !== undefined ? { generation: 2 } : {}),
    },
    spec,
    status: { replicas: 0, observedGeneration: 2 },
  };
}

/** A random (version 4) uid, drawn so the same draw gives the same uid. */
function uuid(rng: SeededRandom): string {
  const h = rng.hex(32).split('');
  h[12] = '4';
  h[16] = ((parseInt(h[16], 16) & 3) | 8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** A series of the current ReplicaSet as the old one shows it: zero replicas, its own creation. */
function oldSeries(s: MetricSeries, o: ObjectRecord): MetricSeries {
  const value = (v: MetricPoint[1]): MetricPoint[1] => {
    if (typeof v !== 'number') return v;
    if (s.name.endsWith('_created')) return Math.floor(Date.parse(o.metadata.creationTimestamp ?? '') / 1000);
    if (s.name.includes('generation')) return 2;
    if (s.name.includes('replicas')) return 0;
    return v;
  };
  return {
    name: s.name,
    labels: { ...s.labels, replicaset: o.metadata.name },
    points: s.points.map(([t, v]) => [t, value(v)]),
  };
}
