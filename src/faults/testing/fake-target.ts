import { objectKey, labelsMatch, type KubeObject } from '../../kube/kube-object.js';
import type { ObjectApi } from '../../platform/object-api.js';
import type {
  FaultTarget,
  FlagsApi,
  PostgresAdmin,
  PostgresRow,
  RedisAdmin,
} from '../../platform/fault-target.js';
import type { ChaosApi, ChaosExperiment, RunningChaos } from '../../platform/chaos-api.js';

/** In-memory ObjectApi for fault tests: keeps objects and a journal of every call. */
export class MemoryObjects implements ObjectApi {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: string[] = [];

  constructor(initial: KubeObject[] = []) {
    for (const o of initial) this.objects.set(objectKey(o), structuredClone(o));
  }

  async get(kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const o = this.objects.get(objectKey({ kind, metadata: { name, namespace } }));
    return o ? structuredClone(o) : undefined;
  }
  async list(kind: string, namespace?: string, selector?: Record<string, string>): Promise<KubeObject[]> {
    return [...this.objects.values()]
      .filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace))
      .filter((o) => !selector || labelsMatch(selector, o.metadata.labels))
      .map((o) => structuredClone(o));
  }
  async apply(obj: KubeObject): Promise<KubeObject> {
    this.calls.push(`apply ${objectKey(obj)}`);
    this.objects.set(objectKey(obj), structuredClone(obj));
    return structuredClone(obj);
  }
  async delete(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    const key = objectKey({ kind, metadata: { name, namespace } });
    this.calls.push(`delete ${key}`);
    return this.objects.delete(key);
  }
}

export class RecordingFlags implements FlagsApi {
  readonly values = new Map<string, unknown>();
  readonly calls: string[] = [];
  async set(key: string, value: unknown): Promise<void> {
    this.calls.push(`set ${key} ${JSON.stringify(value)}`);
    this.values.set(key, value);
  }
  async remove(key: string): Promise<void> {
    this.calls.push(`remove ${key}`);
    this.values.delete(key);
  }
}

/** Answers CONFIG GET from a map and records every command with the password it used. */
export class RecordingRedis implements RedisAdmin {
  readonly calls: string[] = [];
  constructor(readonly config: Record<string, string> = {}) {}
  async command(args: string[], opts?: { password?: string }): Promise<unknown> {
    this.calls.push(`${args.join(' ')}${opts?.password ? ` (auth ${opts.password})` : ''}`);
    const [cmd, sub, key, value] = args.map((a) => a);
    if (cmd.toUpperCase() === 'CONFIG' && sub.toUpperCase() === 'GET') return [key, this.config[key] ?? ''];
    if (cmd.toUpperCase() === 'CONFIG' && sub.toUpperCase() === 'SET') this.config[key] = value;
    return 'OK';
  }
}

/** How a RecordingPostgres answers one statement (its text folded onto one line). */
export type PostgresAnswer = (
  sql: string,
  params: readonly unknown[],
  opts?: { database?: string },
) => PostgresRow[] | Promise<PostgresRow[]>;

/**
 * Records every statement, folded onto one line with its params (and the database when one is named), and
 * answers through `answer` (no rows by default); tests give it the few answers their fault reads.
 */
export class RecordingPostgres implements PostgresAdmin {
  readonly calls: string[] = [];
  constructor(public answer: PostgresAnswer = () => []) {}
  async query(
    sql: string,
    params: readonly unknown[] = [],
    opts?: { database?: string },
  ): Promise<PostgresRow[]> {
    const text = sql.replace(/\s+/g, ' ').trim();
    this.calls.push(
      `${text}${params.length > 0 ? ` ${JSON.stringify(params)}` : ''}${opts?.database ? ` (in ${opts.database})` : ''}`,
    );
    return this.answer(text, params, opts);
  }
}

/** Keeps the experiments in force; `failStart` makes the next start reject (after nothing was started). */
export class RecordingChaos implements ChaosApi {
  readonly running: ChaosExperiment[] = [];
  readonly calls: string[] = [];
  failStart: Error | undefined;

  async start(experiment: ChaosExperiment, signal: AbortSignal): Promise<RunningChaos> {
    signal.throwIfAborted();
    this.calls.push(`start ${experiment.kind}`);
    if (this.failStart) throw this.failStart;
    this.running.push(experiment);
    return {
      description: `stop ${experiment.kind} experiment`,
      stop: async () => {
        this.calls.push(`stop ${experiment.kind}`);
        const i = this.running.indexOf(experiment);
        if (i >= 0) this.running.splice(i, 1);
      },
    };
  }
}

export function fakeTarget(objects: KubeObject[] = []): FaultTarget & {
  objects: MemoryObjects;
  flags: RecordingFlags;
  redis: RecordingRedis;
  postgres: RecordingPostgres;
  chaos: RecordingChaos;
} {
  return {
    objects: new MemoryObjects(objects),
    flags: new RecordingFlags(),
    redis: new RecordingRedis(),
    postgres: new RecordingPostgres(),
    chaos: new RecordingChaos(),
  };
}
