import type { Clock } from '../util/clock.js';
import { errorText } from '../util/error-text.js';
import type { ActivityContext, ActivityKind } from './activity-kind.js';
import { ACTIVITIES } from './activities.js';
import type { ActivityKindId, BackgroundRecord, PlannedAction } from './background-action.js';

interface Pending {
  record: BackgroundRecord;
  undo: () => Promise<void>;
  /** When to take it back; Infinity: at the end of the run. */
  dueAt: number;
}

/**
 * Runs a background schedule beside the run's phases: each action at its time, each held action taken
 * back when its duration ends, everything still held taken back by `stop()` (newest first). An action
 * that fails is logged and recorded, never fails the run: routine activity is not the incident.
 */
export class BackgroundRunner {
  private readonly done: BackgroundRecord[] = [];
  private readonly pending: Pending[] = [];
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly actions: readonly PlannedAction[],
    private readonly ctx: ActivityContext,
    private readonly clock: Clock,
    private readonly kinds: ReadonlyMap<string, ActivityKind> = ACTIVITIES,
  ) {}

  /** Starts the schedule; action times count from `startedAt`. */
  start(startedAt: number): void {
    this.loop = this.run(startedAt).catch((err: unknown) =>
      this.ctx.logger.warn({ err }, 'background schedule stopped'),
    );
  }

  private async run(startedAt: number): Promise<void> {
    const queue = [...this.actions];
    while (!this.stopper.signal.aborted) {
      const nextAction = queue[0];
      const nextUndo = this.pending.filter((p) => p.dueAt !== Infinity).sort((a, b) => a.dueAt - b.dueAt)[0];
      const actionAt = nextAction ? startedAt + nextAction.atMs : Infinity;
      const undoAt = nextUndo?.dueAt ?? Infinity;
      if (actionAt === Infinity && undoAt === Infinity) return;
      const wait = Math.min(actionAt, undoAt) - this.clock.now();
      if (wait > 0) {
        try {
          await this.clock.sleep(wait, this.stopper.signal);
        } catch {
          return;
        }
        continue;
      }
      if (nextUndo && undoAt <= actionAt) await this.takeBack(nextUndo);
      else if (nextAction) {
        queue.shift();
        await this.perform(nextAction);
      }
    }
  }

  private async perform(action: PlannedAction): Promise<void> {
    const kind = this.kinds.get(action.kind);
    const at = this.clock.now();
    const record: BackgroundRecord = {
      kind: action.kind,
      target: null,
      at: new Date(at).toISOString(),
      undoneAt: null,
      detail: '',
      params: action.params,
    };
    this.done.push(record);
    if (!kind) {
      record.detail = `unknown activity ${action.kind}`;
      return;
    }
    try {
      const outcome = await kind.run(action, this.ctx);
      record.target = outcome.target;
      record.detail = outcome.detail;
      this.ctx.logger.info({ background: action.kind, target: outcome.target }, outcome.detail);
      if (outcome.undo)
        this.pending.push({
          record,
          undo: outcome.undo,
          dueAt: action.durationMs !== undefined ? at + action.durationMs : Infinity,
        });
    } catch (err) {
      record.detail = `failed: ${errorText(err)}`;
      this.ctx.logger.warn({ err, background: action.kind }, 'background action failed');
    }
  }

  private async takeBack(p: Pending): Promise<void> {
    this.pending.splice(this.pending.indexOf(p), 1);
    try {
      await p.undo();
      p.record.undoneAt = new Date(this.clock.now()).toISOString();
    } catch (err) {
      this.ctx.logger.warn({ err, background: p.record.kind }, 'taking a background action back failed');
    }
  }

  /**
   * Stops the schedule and leaves what is held in place: the objects captured at the end of the window
   * must show the scale-up the metrics show, not its undo a second later. Safe to call twice.
   */
  async halt(): Promise<void> {
    this.stopper.abort();
    await this.loop;
  }

  /** Stops the schedule and takes back everything still held, newest first. Safe to call twice. */
  async stop(): Promise<void> {
    await this.halt();
    for (const p of [...this.pending].reverse()) await this.takeBack(p);
  }

  records(): BackgroundRecord[] {
    return this.done.map((r) => ({ ...r }));
  }

  /** Alerts the activities that ran may have raised on purpose. */
  alerts(): string[] {
    return this.alertsOf(() => true);
  }

  /**
   * Alerts activities that act beside the incident may have raised on purpose: all but those of
   * `before-fault` episodes, which settle before the first fault and are told apart by time. Listed by
   * name, these would hide the incident's own alerts of the same name from the comparison of repeats: a
   * repeat with an earlier error burst lost every ShopHighErrorRate and ShopDependencyErrors the incident
   * raised, and its pair read as unstable (session 17's corpus, postgres-role-connection-limit).
   */
  alertsBesideIncident(): string[] {
    return this.alertsOf((kind) => this.kinds.get(kind)?.from !== 'before-fault');
  }

  private alertsOf(include: (kind: ActivityKindId) => boolean): string[] {
    const names = new Set<string>();
    for (const r of this.done)
      if (r.target && include(r.kind)) for (const a of this.kinds.get(r.kind)?.alerts ?? []) names.add(a);
    return [...names].sort();
  }
}
