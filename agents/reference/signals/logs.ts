import type { EntityId } from '../../../src/entities/index.js';
import { sustainedStart } from '../change-point.js';
import { blameCredentials } from '../credential-blame.js';
import { AUTH_CODES, blameEdge, POOL_TIMEOUT, shortId, type FailedCall } from '../edge-blame.js';
import type { EntityIndex, Workload } from '../entity-index.js';
import { clamp01, emptyEvidence, type Evidence } from '../evidence.js';
import { makeId } from '../kube.js';
import type { PodLife } from '../pod-lifecycle.js';
import { hostPortOfUrl, type LogEntry, type Snapshot } from '../read-snapshot.js';
import { clock } from '../time.js';

const CONFIG_CRASH =
  /EINVALIDCONFIG|invalid (configuration|config|environment)|cannot (read|parse|load) (the )?config|config(uration)? file|malformed config|in JSON at position|not valid JSON|Unexpected end of JSON/i;
const OOM_LINE = /heap out of memory|JavaScript heap|OutOfMemory|out of memory|OOMKilled/i;
const CRASH_LINE =
  /\b(fatal|panic|uncaught|unhandled|segmentation fault|core dumped|exited with|exit code)\b/i;

/**
 * Logs: error lines a workload writes about its own work (no `dependency` field: not passed on from a
 * callee), its failed calls per dependency (err_code and the URL it dialled), fatal lines before a
 * process died (configuration errors name the file or variable they choke on), and credential
 * rejections, where the restart history tells a wrong Secret (fresh pods fail from their first
 * connection) from a server whose password changed (long-running pods start failing).
 */
export function logSignal(snap: Snapshot, index: EntityIndex, pods: Map<EntityId, PodLife>): Evidence {
  const ev = emptyEvidence();
  const byWorkload = new Map<EntityId, LogEntry[]>();
  for (const e of snap.logs.notable) {
    if (index.isBatchPod(e.pod)) continue;
    const w = index.workloadOf(e.pod);
    if (!w) continue;
    const list = byWorkload.get(w.id);
    if (list) list.push(e);
    else byWorkload.set(w.id, [e]);
  }
  for (const [wid, entries] of byWorkload) {
    const w = index.workloads.get(wid);
    if (!w) continue;
    ownErrors(w, entries, snap, index, ev);
    crashLines(w, entries, index, ev);
    dependencyFailures(w, entries, snap.window.end, index, pods, ev);
  }
  return ev;
}

function ownErrors(w: Workload, entries: LogEntry[], snap: Snapshot, index: EntityIndex, ev: Evidence): void {
  const own = entries.filter(
    (e) => e.level === 'error' && e.structured && !e.dependency && !CONFIG_CRASH.test(e.msg),
  );
  const start = sustainedStart(
    own.map((e) => e.at),
    5,
    30_000,
  );
  if (start === null) return;
  const after = own.filter((e) => e.at >= start);
  const before = own.length - after.length;
  let lines = 0;
  for (const [pod, buckets] of snap.logs.buckets) {
    if (index.workloadOf(pod)?.id !== w.id) continue;
    for (const [t, c] of buckets) if (t >= start - 5000) lines += c.total;
  }
  const share = after.length / Math.max(lines, after.length, 1);
  // A shift, not a level: errors it was already writing before the onset do not count.
  const weight = clamp01(after.length / 15) * clamp01(share * 4) * (before > after.length / 4 ? 0.4 : 1);
  if (weight < 0.05) return;
  ev.symptoms.push({
    signal: 'logs',
    workload: w.id,
    kind: 'errors',
    weight,
    at: start,
    detail: `${after.length} error lines about its own requests since ${clock(start)} (${before} before), e.g. "${template(after[after.length - 1].msg)}"`,
  });
}

function crashLines(w: Workload, entries: LogEntry[], index: EntityIndex, ev: Evidence): void {
  const fatal = entries.filter(
    (e) =>
      e.level === 'fatal' ||
      (!e.structured && (CRASH_LINE.test(e.msg) || OOM_LINE.test(e.msg))) ||
      e.errCode === 'EINVALIDCONFIG',
  );
  if (fatal.length === 0) return;
  const first = fatal[0];
  const config = fatal.filter((e) => e.errCode === 'EINVALIDCONFIG' || CONFIG_CRASH.test(e.msg));
  const oom = fatal.filter((e) => OOM_LINE.test(e.msg));
  const pods = new Set(fatal.map((e) => e.pod)).size;
  const times = Math.min(1, fatal.length / 3);
  ev.symptoms.push({
    signal: 'logs',
    workload: w.id,
    kind: 'crash',
    weight: 0.4 + 0.4 * times,
    at: first.at,
    detail: `${fatal.length} fatal lines from ${pods} pod(s) since ${clock(first.at)}: "${template(fatal[fatal.length - 1].msg)}"`,
  });
  if (oom.length > 0)
    ev.symptoms.push({
      signal: 'logs',
      workload: w.id,
      kind: 'oom',
      weight: 0.7,
      at: oom[0].at,
      detail: `ran out of memory: "${template(oom[0].msg)}"`,
    });
  if (config.length === 0) return;
  const msg = config[config.length - 1].msg;
  ev.symptoms.push({
    signal: 'logs',
    workload: w.id,
    kind: 'config',
    weight: 0.5 + 0.4 * Math.min(1, config.length / 2),
    at: config[0].at,
    detail: `refuses its configuration at start: "${template(msg)}"`,
  });
  // The line names what it choked on: a mounted file (→ the ConfigMap/Secret behind the mount) or a variable.
  for (const ref of configSources(w, msg)) {
    ev.suspects.push({
      signal: 'logs',
      entity: ref.id,
      weight: ref.weight,
      at: null,
      affects: [w.id],
      explains: ['config', 'crash', 'not-ready'],
      detail: `${shortId(w.id)}'s fatal configuration error names ${ref.why}`,
    });
  }
}

/** ConfigMaps/Secrets a configuration error message points at: by mount path, or by the env variable named. */
function configSources(w: Workload, msg: string): Array<{ id: EntityId; weight: number; why: string }> {
  const out: Array<{ id: EntityId; weight: number; why: string }> = [];
  const spec = w.template?.spec;
  if (!spec) return out;
  const volumes = new Map((spec.volumes ?? []).map((v) => [v.name ?? '', v]));
  // The kubelet's own path for a volume names it: .../volumes/kubernetes.io~configmap/<volume>/<key>.
  const kubeletVolume = msg.match(/kubernetes\.io~(?:configmap|secret|projected)\/([a-z0-9-]+)\//i)?.[1];
  for (const c of spec.containers ?? []) {
    for (const m of c.volumeMounts ?? []) {
      if (!m.mountPath || !(msg.includes(m.mountPath) || m.name === kubeletVolume)) continue;
      const v = volumes.get(m.name ?? '');
      if (v?.configMap?.name)
        out.push({
          id: makeId(w.namespace, 'ConfigMap', v.configMap.name),
          weight: 0.6,
          why: `a file under ${m.mountPath}, mounted from ConfigMap ${v.configMap.name}`,
        });
      if (v?.secret?.secretName)
        out.push({
          id: makeId(w.namespace, 'Secret', v.secret.secretName),
          weight: 0.6,
          why: `a file under ${m.mountPath}, mounted from Secret ${v.secret.secretName}`,
        });
    }
    for (const e of c.env ?? []) {
      if (!e.name || !new RegExp(`\\b${e.name}\\b`).test(msg)) continue;
      const cm = e.valueFrom?.configMapKeyRef?.name;
      const sec = e.valueFrom?.secretKeyRef?.name;
      if (cm)
        out.push({
          id: makeId(w.namespace, 'ConfigMap', cm),
          weight: 0.5,
          why: `variable ${e.name}, taken from ConfigMap ${cm}`,
        });
      if (sec)
        out.push({
          id: makeId(w.namespace, 'Secret', sec),
          weight: 0.5,
          why: `variable ${e.name}, taken from Secret ${sec}`,
        });
    }
  }
  return out;
}

function dependencyFailures(
  w: Workload,
  entries: LogEntry[],
  observedUntil: number,
  index: EntityIndex,
  pods: Map<EntityId, PodLife>,
  ev: Evidence,
): void {
  const byDep = new Map<string, LogEntry[]>();
  for (const e of entries) {
    if (!e.dependency || !e.errCode || (e.level !== 'warn' && e.level !== 'error')) continue;
    // the caller's own pool ran dry: the statement never reached the store (the traces' pool symptom)
    if (e.errCode === POOL_TIMEOUT) continue;
    const list = byDep.get(e.dependency);
    if (list) list.push(e);
    else byDep.set(e.dependency, [e]);
  }
  for (const [dep, list] of byDep) {
    // Rejected credentials are never background noise, and clients log connection trouble at most every
    // few seconds: three within a minute is enough for them.
    const authLike = list.filter((e) => e.errCode && AUTH_CODES.test(e.errCode)).length > list.length / 2;
    // Attempts that will be retried are often background noise: date the trouble by final failures.
    const firm = list.filter((e) => !e.retrying);
    const dating = firm.length >= 4 ? firm : list;
    const start = authLike
      ? sustainedStart(
          dating.map((e) => e.at),
          3,
          60_000,
        )
      : sustainedStart(
          dating.map((e) => e.at),
          4,
          30_000,
        );
    if (start === null) continue;
    const fails = list.filter((e) => e.at >= start);
    const callee = index.workloadByTelemetry(dep, w.namespace)?.id;
    if (callee && callee !== w.id) ev.calls.push({ from: w.id, to: callee });
    const failures: FailedCall[] = fails.map((e) => {
      const address = e.address ?? (e.url ? hostPortOfUrl(e.url) : undefined);
      const timeout = e.msg.match(/timed out after (\d+)\s*ms/i)?.[1];
      return {
        at: e.at,
        code: e.errCode ?? 'error',
        ...(address ? { address } : {}),
        ...(timeout ? { timeoutMs: Number(timeout) } : {}),
      };
    });
    // Logs show failures only, never the calls that worked: volume and rate set the strength, so the odd
    // retry that succeeds (a few a minute) does not look like an outage (many a second).
    // An attempt that will be retried usually succeeds the second time: it counts a quarter.
    const weighted = fails.reduce((n, e) => n + (e.retrying ? 0.25 : 1), 0);
    const minutes = Math.max(0.5, (fails[fails.length - 1].at - start) / 60_000);
    const perMinute = weighted / minutes;
    const strength = authLike
      ? 0.8 * clamp01(weighted / 4)
      : 0.8 * clamp01(weighted / 12) * clamp01((perMinute - 4) / 20);
    const symptoms = blameEdge(
      {
        signal: 'logs',
        caller: w.id,
        peer: dep,
        ...(callee ? { callee } : {}),
        failures,
        strength,
        start,
        volume: `${fails.length} logged failures`,
        observedUntil,
      },
      index,
    );
    const auth = fails.filter((f) => f.errCode && AUTH_CODES.test(f.errCode));
    if (auth.length > fails.length / 2) {
      const firstByPod = new Map<EntityId, number>();
      for (const f of auth) if (!firstByPod.has(f.pod)) firstByPod.set(f.pod, f.at);
      ev.suspects.push(...blameCredentials('logs', w, callee, firstByPod, index, pods, symptoms));
    }
    ev.symptoms.push(...symptoms);
  }
}

/** A message with ids and numbers folded, so similar lines read as one. */
function template(msg: string): string {
  return msg
    .replace(/\b[0-9a-f]{16,}\b/g, '<id>')
    .replace(/\b\d+(\.\d+)?\b/g, (m) => (m.length > 3 ? '<n>' : m))
    .slice(0, 160);
}
