import { rmSync } from 'node:fs';
import { systemClock, type Clock } from '../util/clock.js';
import { matchesRecord, readPidFiles, type PidRecord } from './pid-files.js';
import { isRunning, processesInGroup, readProcStat, signalSafely } from './proc-info.js';

export interface StaleOutcome {
  file: string;
  pid?: number;
  name?: string;
  action: 'killed' | 'already-gone' | 'skipped' | 'unreadable';
  detail: string;
}

export interface KillStaleOptions {
  /** Wait this long after SIGTERM before SIGKILL; default 3000 ms. */
  graceMs?: number;
  /** Kill even when the firedrill process that started the children is still alive. */
  force?: boolean;
  clock?: Clock;
}

/**
 * Cleans up after a run that died without stopping its children (`firedrill down`): for every
 * pidfile in `pidDir`, if the recorded process is still the same process (start time and command
 * line) its whole process group gets SIGTERM, then SIGKILL after the grace period. Stragglers left
 * in the group after the leader died are killed too. Pidfiles of an owner that is still running are
 * left alone unless `force` (that run is live and will clean up itself). Handled pidfiles are removed.
 */
export async function killStale(pidDir: string, opts: KillStaleOptions = {}): Promise<StaleOutcome[]> {
  const clock = opts.clock ?? systemClock;
  const graceMs = opts.graceMs ?? 3000;
  const outcomes: StaleOutcome[] = [];
  const targets: Array<{ record: PidRecord; file: string; outcome: StaleOutcome }> = [];

  for (const entry of readPidFiles(pidDir)) {
    if (!entry.record) {
      outcomes.push({ file: entry.file, action: 'unreadable', detail: entry.error ?? 'unreadable' });
      continue;
    }
    const record = entry.record;
    const base = { file: entry.file, pid: record.pid, name: record.name };
    if (!opts.force && ownerAlive(record)) {
      outcomes.push({
        ...base,
        action: 'skipped',
        detail: `its run (pid ${record.ownerPid}) is still running`,
      });
      continue;
    }
    const leader = matchesRecord(record);
    const stragglers = groupMembers(record);
    if (!leader.match && stragglers.length === 0) {
      outcomes.push({ ...base, action: 'already-gone', detail: leader.reason });
      rmSync(entry.file, { force: true });
      continue;
    }
    const outcome: StaleOutcome = {
      ...base,
      action: 'killed',
      detail: leader.match
        ? `process group ${record.pgid}`
        : `${stragglers.length} leftover process(es) of group ${record.pgid}`,
    };
    outcomes.push(outcome);
    targets.push({ record, file: entry.file, outcome });
  }

  for (const t of targets) signalGroup(t.record, 'SIGTERM');
  const deadline = clock.now() + graceMs;
  while (targets.some((t) => groupAlive(t.record)) && clock.now() < deadline) await clock.sleep(100);
  for (const t of targets) {
    if (groupAlive(t.record)) {
      signalGroup(t.record, 'SIGKILL');
      t.outcome.detail += ' (needed SIGKILL)';
    }
    rmSync(t.file, { force: true });
  }
  return outcomes;
}

function ownerAlive(record: PidRecord): boolean {
  if (record.ownerPid === process.pid) return false;
  const stat = readProcStat(record.ownerPid);
  if (!stat) return isRunning(record.ownerPid) && record.ownerStartTicks === undefined;
  if (stat.state === 'Z') return false;
  return record.ownerStartTicks === undefined || stat.startTicks === record.ownerStartTicks;
}

/**
 * Live members of the recorded group. A pgid cannot be reused while the group has members, so when
 * the leader is gone everything still in the group is a leftover of that run; when the leader's pid
 * now belongs to some other process, the group id is no longer ours.
 */
function groupMembers(record: PidRecord): number[] {
  const leaderIsOurs = matchesRecord(record).match;
  if (record.pgid !== record.pid) return leaderIsOurs ? [record.pid] : [];
  if (!leaderIsOurs && isRunning(record.pid)) return [];
  return processesInGroup(record.pgid).map((p) => p.pid);
}

function groupAlive(record: PidRecord): boolean {
  return groupMembers(record).length > 0;
}

function signalGroup(record: PidRecord, signal: NodeJS.Signals): void {
  const members = groupMembers(record);
  if (members.length === 0) return;
  if (record.pgid === record.pid) signalSafely(-record.pgid, signal);
  else for (const pid of members) signalSafely(pid, signal);
}
