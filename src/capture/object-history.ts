import { createHash } from 'node:crypto';
import type { ObjectChange, ObjectRecord } from '../bundle/records.js';
import { objectKey, type KubeObject } from '../kube/kube-object.js';
import type { Logger } from '../logging/logger.js';
import type { ObjectApi } from '../platform/object-api.js';
import type { Clock } from '../util/clock.js';
import type { CaptureScope } from './capture-scope.js';
import { collectObjects } from './collect-objects.js';
import { sanitizeObject } from './sanitize-object.js';

/** How often the objects are listed; a change shows with at most this much delay. */
export const HISTORY_INTERVAL_MS = 5_000;

/**
 * What makes two versions of an object different for an operator: its labels, annotations, spec and
 * data (a Secret's values by digest only). Status is not a change anyone made; a Pod's spec only gains
 * its node, so a Pod changes only by being created or deleted.
 */
function fingerprint(o: KubeObject): string {
  const meta = { labels: o.metadata.labels ?? {}, annotations: o.metadata.annotations ?? {} };
  const body =
    o.kind === 'Pod'
      ? {}
      : {
          spec: o.spec ?? {},
          data:
            o.kind === 'Secret'
              ? createHash('sha256')
                  .update(JSON.stringify(o.data ?? {}))
                  .digest('hex')
              : (o.data ?? {}),
        };
  return JSON.stringify({ meta, body });
}

/**
 * Records every change to the captured objects during a run by listing them at an interval, as an audit
 * log would show them: ADDED, MODIFIED (with the version before) and DELETED, each with its time. The
 * same on every substrate, since it only needs the ObjectApi.
 */
export class ObjectHistoryRecorder {
  private readonly recorded: ObjectChange[] = [];
  private last = new Map<string, { obj: KubeObject; print: string }>();
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly objects: ObjectApi,
    private readonly scope: CaptureScope,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs = HISTORY_INTERVAL_MS,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let first = true;
    while (!this.stopper.signal.aborted) {
      try {
        await this.observe(first);
        first = false;
      } catch (err) {
        // A missed listing only delays what it would have seen to the next one.
        this.logger.debug({ err }, 'object history: listing failed');
      }
      try {
        await this.clock.sleep(this.intervalMs, this.stopper.signal);
      } catch {
        return;
      }
    }
  }

  /** One listing compared with the previous one. The first only sets the baseline. */
  async observe(baseline = false): Promise<void> {
    const now = new Date(this.clock.now()).toISOString();
    const current = new Map<string, { obj: KubeObject; print: string }>();
    for (const o of await collectObjects(this.objects, this.scope))
      current.set(objectKey(o), { obj: o, print: fingerprint(o) });
    if (!baseline) {
      for (const [key, cur] of current) {
        const prev = this.last.get(key);
        if (!prev) this.push(now, 'ADDED', cur.obj);
        else if (prev.print !== cur.print) this.push(now, 'MODIFIED', cur.obj, prev.obj);
      }
      for (const [key, prev] of this.last) if (!current.has(key)) this.push(now, 'DELETED', prev.obj);
    }
    this.last = current;
  }

  private push(ts: string, action: ObjectChange['action'], obj: KubeObject, before?: KubeObject): void {
    const change: ObjectChange = { ts, action, entity: objectKey(obj), object: sanitizeObject(obj) };
    if (before) change.before = sanitizeObject(before) satisfies ObjectRecord;
    this.recorded.push(change);
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.loop;
  }

  /** The changes between `start` and `end`, oldest first. */
  changes(window?: { start: Date; end: Date }): ObjectChange[] {
    const from = window?.start.toISOString() ?? '';
    const to = window?.end.toISOString() ?? '\uffff';
    return this.recorded
      .filter((c) => c.ts >= from && c.ts <= to)
      .sort((a, b) => a.ts.localeCompare(b.ts) || a.entity.localeCompare(b.entity));
  }
}
