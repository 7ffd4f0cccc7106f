import { sameServiceAddress } from '../../src/kube/service-address.js';
import type { SymptomKind } from './evidence.js';
import { quantity, type ContainerSpec, type PodTemplate } from './kube.js';

/** One difference between two revisions of a pod template, judged for how likely it is to break things. */
export interface TemplateChange {
  what: string;
  /** Prior that a change like this breaks a service, 0..1. */
  harm: number;
  explains: SymptomKind[];
  /** Only restarts the pods (restartedAt, or nothing at all changed). */
  restartOnly?: boolean;
}

const ANY: SymptomKind[] = [
  'crash',
  'config',
  'errors',
  'latency',
  'not-ready',
  'misrouted',
  'unavailable',
  'saturation',
  'memory',
  'oom',
  'auth',
];
const LOGGING_VAR =
  /^(LOG_?LEVEL|LOGLEVEL|.*_LOG_LEVEL|DEBUG|VERBOSE|LOG_FORMAT|.*_DEBUG|TRACE|NODE_DEBUG)$/i;
/** Values a logging setting takes (a level, on/off, a format). */
export const LEVEL_VALUE =
  /^(fatal|error|warn|warning|info|debug|trace|silent|verbose|true|false|0|1|on|off|json|text|pretty)$/i;
const ADDRESS_VAR = /(URL|URI|HOST|ADDR|ADDRESS|ENDPOINT|PORT|SERVER|SERVICE|DSN|BROKER)/i;

/** Pod-spec fields whose change cannot break a running pod (only how it stops). */
const HARMLESS_POD_FIELDS = new Set(['terminationGracePeriodSeconds']);

/**
 * What changed between the previous and the new pod template of a workload. Harmless edits that
 * background rollouts make (an annotation, a log level, a scale) weigh almost nothing; edits that can
 * stop a service (image, arguments, addresses, limits, probes, scheduling constraints, volumes, DNS,
 * init containers) weigh by how directly they break it.
 */
export function diffTemplates(
  before: PodTemplate | undefined,
  after: PodTemplate | undefined,
  /** The workload's namespace: what a Service's short name resolves in. */
  namespace?: string,
): TemplateChange[] {
  const out: TemplateChange[] = [];
  const a = before ?? {};
  const b = after ?? {};
  const annA = a.metadata?.annotations ?? {};
  const annB = b.metadata?.annotations ?? {};
  for (const k of new Set([...Object.keys(annA), ...Object.keys(annB)])) {
    if (annA[k] === annB[k]) continue;
    if (/restartedAt/i.test(k))
      out.push({ what: `pods restarted (${k})`, harm: 0.08, explains: ANY, restartOnly: true });
    else out.push({ what: `annotation ${k}: ${show(annA[k])} → ${show(annB[k])}`, harm: 0.03, explains: [] });
  }
  if (!same(a.metadata?.labels, b.metadata?.labels))
    out.push({
      what: `pod labels ${show(a.metadata?.labels)} → ${show(b.metadata?.labels)}`,
      harm: 0.3,
      explains: ['unreachable', 'not-ready', 'unavailable'],
    });

  const sa = a.spec ?? {};
  const sb = b.spec ?? {};
  diffContainers(sa.containers ?? [], sb.containers ?? [], false, out, namespace);
  diffContainers(sa.initContainers ?? [], sb.initContainers ?? [], true, out, namespace);

  const volA = new Map((sa.volumes ?? []).map((v) => [v.name ?? '', v]));
  const volB = new Map((sb.volumes ?? []).map((v) => [v.name ?? '', v]));
  for (const [name, v] of volB) {
    const old = volA.get(name);
    if (same(old, v)) continue;
    if (v.persistentVolumeClaim)
      out.push({
        what: `volume ${name} from claim ${v.persistentVolumeClaim.claimName ?? '?'}${old ? '' : ' added'}`,
        harm: 0.55,
        explains: ['pending', 'unavailable', 'not-ready'],
      });
    else if (v.configMap || v.secret)
      out.push({
        what: `volume ${name} now from ${v.configMap ? `ConfigMap ${v.configMap.name}` : `Secret ${v.secret?.secretName}`}`,
        harm: 0.45,
        explains: ['config', 'crash', 'auth', 'errors', 'pending'],
      });
    else
      out.push({
        what: `volume ${name} ${old ? 'changed' : 'added'}`,
        harm: 0.2,
        explains: ['pending', 'crash'],
      });
  }
  for (const name of volA.keys())
    if (!volB.has(name))
      out.push({ what: `volume ${name} removed`, harm: 0.3, explains: ['crash', 'config', 'pending'] });

  const sched: Array<[string, unknown, unknown]> = [
    ['nodeSelector', sa.nodeSelector, sb.nodeSelector],
    ['affinity', sa.affinity, sb.affinity],
    ['tolerations', sa.tolerations, sb.tolerations],
  ];
  for (const [k, x, y] of sched)
    if (!same(x, y))
      out.push({ what: `${k} ${show(x)} → ${show(y)}`, harm: 0.55, explains: ['pending', 'unavailable'] });
  if (!same(sa.dnsPolicy, sb.dnsPolicy) || !same(sa.dnsConfig, sb.dnsConfig))
    out.push({
      what: `DNS ${show(sa.dnsPolicy)} ${show(sa.dnsConfig)} → ${show(sb.dnsPolicy)} ${show(sb.dnsConfig)}`,
      harm: 0.6,
      explains: ['not-ready', 'misrouted', 'unreachable', 'errors'],
    });
  const known = new Set([
    'containers',
    'initContainers',
    'volumes',
    'nodeSelector',
    'affinity',
    'tolerations',
    'dnsPolicy',
    'dnsConfig',
    'nodeName',
  ]);
  for (const k of new Set([...Object.keys(sa), ...Object.keys(sb)])) {
    if (known.has(k) || same(sa[k], sb[k])) continue;
    if (HARMLESS_POD_FIELDS.has(k)) {
      // How long a stopping pod may drain: nothing a running pod does depends on it.
      out.push({ what: `${k} ${show(sa[k])} → ${show(sb[k])}`, harm: 0.03, explains: [] });
      continue;
    }
    out.push({
      what: `${k} ${show(sa[k])} → ${show(sb[k])}`,
      harm: 0.2,
      explains: ['crash', 'pending', 'not-ready', 'errors'],
    });
  }
  if (out.length === 0)
    out.push({
      what: 'no difference in the pod template (pods restarted)',
      harm: 0.08,
      explains: ANY,
      restartOnly: true,
    });
  return out;
}

function diffContainers(
  as: ContainerSpec[],
  bs: ContainerSpec[],
  init: boolean,
  out: TemplateChange[],
  namespace: string | undefined,
): void {
  const byName = new Map(as.map((c, i) => [c.name ?? `#${i}`, c]));
  const label = init ? 'init container' : 'container';
  for (const [i, c] of bs.entries()) {
    const name = c.name ?? `#${i}`;
    const old = byName.get(name);
    byName.delete(name);
    if (!old) {
      out.push(
        init
          ? {
              what: `init container ${name} added (${show(c.image)} ${show(c.command ?? c.args)})`,
              harm: 0.6,
              explains: ['pending', 'not-ready', 'crash', 'unavailable'],
            }
          : { what: `container ${name} added`, harm: 0.4, explains: ['crash', 'pending', 'not-ready'] },
      );
      continue;
    }
    if (old.image !== c.image)
      out.push({
        what: `${label} ${name} image ${show(old.image)} → ${show(c.image)}`,
        harm: 0.5,
        explains: ['image', 'pending', 'crash', 'errors', 'latency', 'not-ready'],
      });
    if (!same(old.command, c.command) || !same(old.args, c.args))
      out.push({
        what: `${label} ${name} command ${show([...(old.command ?? []), ...(old.args ?? [])])} → ${show([...(c.command ?? []), ...(c.args ?? [])])}`,
        harm: 0.6,
        explains: ['crash', 'config', 'errors', 'not-ready'],
      });
    diffEnv(name, old, c, out, namespace);
    diffResources(name, old, c, out);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
      if (same(old[probe], c[probe])) continue;
      const explains: SymptomKind[] =
        probe === 'readinessProbe'
          ? ['not-ready', 'unavailable', 'pending']
          : ['crash', 'not-ready', 'unreachable', 'errors', 'unavailable'];
      out.push({
        what: `${label} ${name} ${probe} ${show(probeTarget(old[probe]))} → ${show(probeTarget(c[probe]))}`,
        harm: 0.6,
        explains,
      });
    }
    if (!same(old.ports, c.ports))
      out.push({
        what: `${label} ${name} ports ${show(old.ports)} → ${show(c.ports)}`,
        harm: 0.4,
        explains: ['unreachable', 'not-ready'],
      });
    if (!same(old.volumeMounts, c.volumeMounts))
      out.push({
        what: `${label} ${name} volume mounts changed`,
        harm: 0.3,
        explains: ['pending', 'crash', 'config'],
      });
    const rest = new Set([...Object.keys(old), ...Object.keys(c)]);
    for (const k of [
      'name',
      'image',
      'command',
      'args',
      'env',
      'envFrom',
      'resources',
      'readinessProbe',
      'livenessProbe',
      'startupProbe',
      'ports',
      'volumeMounts',
    ])
      rest.delete(k);
    for (const k of rest) {
      const x = (old as Record<string, unknown>)[k];
      const y = (c as Record<string, unknown>)[k];
      if (!same(x, y))
        out.push({
          what: `${label} ${name} ${k} ${show(x)} → ${show(y)}`,
          harm: 0.2,
          explains: ['crash', 'errors'],
        });
    }
  }
  for (const name of byName.keys())
    out.push({
      what: `${label} ${name} removed`,
      harm: init ? 0.1 : 0.4,
      explains: init ? [] : ['crash', 'errors'],
    });
}

function diffEnv(
  container: string,
  a: ContainerSpec,
  b: ContainerSpec,
  out: TemplateChange[],
  namespace: string | undefined,
): void {
  const ea = new Map((a.env ?? []).map((e) => [e.name ?? '', e]));
  const eb = new Map((b.env ?? []).map((e) => [e.name ?? '', e]));
  for (const name of new Set([...ea.keys(), ...eb.keys()])) {
    const x = ea.get(name);
    const y = eb.get(name);
    if (same(x, y)) continue;
    const before = x ? (x.value ?? show(x.valueFrom)) : '(unset)';
    const after = y ? (y.value ?? show(y.valueFrom)) : '(unset)';
    const what = `env ${name} ${show(before)} → ${show(after)} (container ${container})`;
    if (LOGGING_VAR.test(name) && (y?.value === undefined || LEVEL_VALUE.test(y.value)))
      out.push({ what, harm: 0.03, explains: [] });
    else if (
      namespace !== undefined &&
      x?.value !== undefined &&
      y?.value !== undefined &&
      sameServiceAddress(x.value, y.value, namespace)
    )
      // The same Service written another way (`catalog` → `catalog.shop.svc.cluster.local`): nothing moved.
      out.push({ what, harm: 0.03, explains: [] });
    else if (ADDRESS_VAR.test(name))
      out.push({
        what,
        harm: 0.6,
        explains: ['misrouted', 'not-ready', 'crash', 'config', 'errors', 'auth'],
      });
    else if (y?.valueFrom || x?.valueFrom)
      out.push({ what, harm: 0.45, explains: ['config', 'crash', 'auth', 'errors', 'not-ready'] });
    else
      out.push({
        what,
        harm: 0.35,
        explains: ['config', 'crash', 'errors', 'latency', 'not-ready', 'misrouted'],
      });
  }
  if (!same(a.envFrom, b.envFrom))
    out.push({
      what: `envFrom ${show(a.envFrom)} → ${show(b.envFrom)} (container ${container})`,
      harm: 0.45,
      explains: ['config', 'crash', 'auth', 'errors'],
    });
}

function diffResources(container: string, a: ContainerSpec, b: ContainerSpec, out: TemplateChange[]): void {
  const la = a.resources?.limits ?? {};
  const lb = b.resources?.limits ?? {};
  const mem = [quantity(la.memory), quantity(lb.memory)];
  if (la.memory !== lb.memory) {
    const down = mem[0] !== undefined && mem[1] !== undefined && mem[1] < mem[0];
    const ratio = down ? (mem[1] as number) / (mem[0] as number) : 1;
    out.push({
      what: `memory limit ${show(la.memory)} → ${show(lb.memory)} (container ${container})`,
      harm: down ? (ratio < 0.5 ? 0.7 : 0.35) : mem[1] === undefined ? 0.05 : 0.05,
      explains: down ? ['oom', 'crash', 'memory', 'unavailable'] : [],
    });
  }
  const cpu = [quantity(la.cpu), quantity(lb.cpu)];
  if (la.cpu !== lb.cpu) {
    const down = cpu[0] !== undefined && cpu[1] !== undefined && cpu[1] < cpu[0];
    const ratio = down ? (cpu[1] as number) / (cpu[0] as number) : 1;
    out.push({
      what: `CPU limit ${show(la.cpu)} → ${show(lb.cpu)} (container ${container})`,
      harm: down ? (ratio < 0.3 ? 0.55 : ratio < 0.9 ? 0.3 : 0.15) : 0.04,
      explains: down ? ['saturation', 'latency', 'errors', 'crash', 'not-ready'] : [],
    });
  }
  const ra = a.resources?.requests ?? {};
  const rb = b.resources?.requests ?? {};
  if (!same(ra, rb))
    out.push({
      what: `requests ${show(ra)} → ${show(rb)} (container ${container})`,
      harm: 0.12,
      explains: ['pending'],
    });
}

function probeTarget(p: ContainerSpec['readinessProbe']): unknown {
  if (!p) return undefined;
  if (p.httpGet) return `${p.httpGet.path ?? '/'}:${p.httpGet.port ?? '?'}`;
  if (p.tcpSocket) return `tcp:${p.tcpSocket.port ?? '?'}`;
  if (p.exec) return `exec ${(p.exec.command ?? []).join(' ')}`;
  return p;
}

/** Structural equality on JSON values, key order ignored. */
export function same(x: unknown, y: unknown): boolean {
  return stable(x) === stable(y);
}

function stable(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
    .join(',')}}`;
}

function show(v: unknown): string {
  if (v === undefined) return '(none)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
