import { connect } from 'node:net';
import type { Probe } from '../../kube/kube-object.js';
import { loadVersions } from '../../versions/versions.js';

export interface ProbeResult {
  ok: boolean;
  /** Kubelet-style failure text, e.g. `HTTP probe failed with statuscode: 503`. */
  message: string;
}

/** Runs one probe against a pod address. An interface so the kubelet can be tested without sockets. */
export interface Prober {
  check(probe: Probe, podIp: string, ports: Record<string, number>): Promise<ProbeResult>;
}

function portOf(p: number | string, ports: Record<string, number>): number | undefined {
  return typeof p === 'number' ? p : /^\d+$/.test(p) ? Number(p) : ports[p];
}

/** What the kubelet sends as User-Agent on HTTP probes: `kube-probe/<major>.<minor>` of its version. */
export const KUBE_PROBE_AGENT = `kube-probe/${loadVersions().tools.kubernetes.replace(/^v(\d+\.\d+).*$/, '$1')}`;

export const networkProber: Prober = {
  async check(probe, podIp, ports) {
    const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
    if (probe.httpGet) {
      const port = portOf(probe.httpGet.port, ports);
      if (port === undefined) return { ok: false, message: `unknown port ${String(probe.httpGet.port)}` };
      const url = `http://${podIp}:${port}${probe.httpGet.path ?? '/'}`;
      try {
        // The kubelet's own headers, which a server may tell its probes apart by.
        const res = await fetch(url, {
          signal: AbortSignal.timeout(timeoutMs),
          headers: { 'user-agent': KUBE_PROBE_AGENT, accept: '*/*' },
        });
        await res.body?.cancel();
        if (res.status >= 200 && res.status < 400) return { ok: true, message: '' };
        return { ok: false, message: `HTTP probe failed with statuscode: ${res.status}` };
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        if (cause?.code === 'ECONNREFUSED')
          return {
            ok: false,
            message: `Get "${url}": dial tcp ${podIp}:${port}: connect: connection refused`,
          };
        return {
          ok: false,
          message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        };
      }
    }
    if (probe.tcpSocket) {
      const port = portOf(probe.tcpSocket.port, ports);
      if (port === undefined) return { ok: false, message: `unknown port ${String(probe.tcpSocket.port)}` };
      return new Promise<ProbeResult>((resolve) => {
        const s = connect({ host: podIp, port, timeout: timeoutMs });
        s.once('connect', () => {
          s.destroy();
          resolve({ ok: true, message: '' });
        });
        s.once('timeout', () => {
          s.destroy();
          resolve({ ok: false, message: `dial tcp ${podIp}:${port}: i/o timeout` });
        });
        s.once('error', () =>
          resolve({ ok: false, message: `dial tcp ${podIp}:${port}: connect: connection refused` }),
        );
      });
    }
    // An exec probe runs inside the container; locally there is none to exec into, so the closest
    // honest check is that the container accepts connections on its first port.
    const first = Object.values(ports)[0];
    if (probe.exec && first !== undefined)
      return this.check({ ...probe, exec: undefined, tcpSocket: { port: first } }, podIp, ports);
    return { ok: true, message: '' };
  },
};
