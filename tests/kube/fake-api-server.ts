import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { apiResource, KNOWN_KINDS } from '../../src/kube/api-resources.js';
import { isKubeObject, type KubeObject } from '../../src/kube/kube-object.js';
import { asDeployment } from '../../src/kube/typed-objects.js';

/** One request as the fake API server received it. */
export interface SeenRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The raw query string, without `?` ('' when none). */
  query: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface ProxyAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** Answers a request for `/api/v1/namespaces/{ns}/services/{name}:{port}/proxy{rest}`. */
export type ProxyHandler = (
  target: { namespace: string; service: string; port: string; rest: string },
  req: SeenRequest,
) => ProxyAnswer | Promise<ProxyAnswer>;

export interface FakeApiServerOptions {
  objects?: KubeObject[];
  /** Applied Deployments get a rolled-out status at once (a stand-in for the controllers). */
  autoReady?: boolean;
  /** `${namespace}/${pod}/${container}/${previous}` → log text. */
  logs?: Record<string, string>;
  proxy?: ProxyHandler;
  /** Items per list page when the client asks for fewer than this; exercises `continue`. */
  pageSize?: number;
  /**
   * Chaos Mesh resources (group chaos-mesh.org): `inject` reports every applied one injected into the
   * pods its selectors match (a record per pod, condition AllInjected); `never` records each pod failed
   * and never injected, as a Chaos Mesh whose daemon cannot reach the pods does.
   */
  chaosMesh?: 'inject' | 'never';
  /**
   * Deleting a Chaos Mesh resource: `recovers` (default) removes it at once, as its finalizer does once
   * every pod is recovered; `stuck` leaves it terminating until it is applied with the cleanFinalizer
   * annotation.
   */
  chaosMeshRecovery?: 'recovers' | 'stuck';
  /** CustomResourceDefinitions are reported established when applied. */
  establishCrds?: boolean;
  /** Per-path forced answers (`METHOD path`), e.g. a 403 for one object. */
  failures?: Record<string, { status: number; reason: string; message: string }>;
}

const RESOURCE_TO_KIND = new Map(
  KNOWN_KINDS.map((k) => {
    const r = apiResource(k);
    return [`${r.apiVersion}/${r.resource}`, r] as const;
  }),
);

/**
 * A minimal Kubernetes API server on 127.0.0.1 for tests: /version, discovery stubs, an object store
 * with get/list (label selectors, paging)/server-side apply/delete, pod logs and the service proxy.
 * Every request is recorded so tests can assert exactly what a client sent.
 */
export class FakeApiServer {
  readonly requests: SeenRequest[] = [];
  readonly store = new Map<string, KubeObject>();
  private rv = 100;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly opts: FakeApiServerOptions,
  ) {
    for (const o of opts.objects ?? []) this.put(structuredClone(o));
  }

  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const ref: { fake?: FakeApiServer } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const [path = '', query = ''] = (req.url ?? '/').split('?', 2);
        const seen: SeenRequest = {
          method: req.method ?? 'GET',
          path,
          query,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        ref.fake?.requests.push(seen);
        Promise.resolve(ref.fake?.handle(seen))
          .then((a) => {
            const answer = a ?? { status: 500, body: '{}' };
            res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
            res.end(answer.body);
          })
          .catch((err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(String(err));
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    ref.fake = new FakeApiServer(server, `http://127.0.0.1:${port}`, opts);
    return ref.fake;
  }

  /** A real client-node KubeConfig whose current context is this server (token `test-token`). */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromString(this.kubeconfigYaml());
    return kc;
  }

  kubeconfigYaml(context = 'fake'): string {
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'tester', user: { token: 'test-token' } }],
      contexts: [{ name: context, context: { cluster: 'fake', user: 'tester' } }],
      'current-context': context,
    });
  }

  /** Requests other than discovery and /version, as `METHOD path?query`. */
  calls(filter?: (r: SeenRequest) => boolean): string[] {
    return this.requests
      .filter((r) => !filter || filter(r))
      .map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  put(o: KubeObject): void {
    this.store.set(this.key(o.kind, o.metadata.namespace, o.metadata.name), o);
  }

  private key(kind: string, ns: string | undefined, name: string): string {
    return `${kind}/${ns ?? ''}/${name}`;
  }

  private status(code: number, reason: string, message: string): ProxyAnswer {
    return {
      status: code,
      body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code }),
    };
  }

  private async handle(req: SeenRequest): Promise<ProxyAnswer> {
    const forced = this.opts.failures?.[`${req.method} ${req.path}`];
    if (forced) return this.status(forced.status, forced.reason, forced.message);
    if (req.path === '/version') {
      return {
        status: 200,
        body: JSON.stringify({
          major: '1',
          minor: '34',
          gitVersion: 'v1.34.0',
          goVersion: 'go1.24.6',
          platform: 'linux/amd64',
        }),
      };
    }
    if (req.path === '/api')
      return { status: 200, body: JSON.stringify({ kind: 'APIVersions', versions: ['v1'] }) };
    if (req.path === '/apis') {
      return {
        status: 200,
        body: JSON.stringify({
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }] }],
        }),
      };
    }
    const proxy = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/:]+):([^/]+)\/proxy(\/.*)?$/.exec(req.path);
    if (proxy) {
      const target = {
        namespace: decodeURIComponent(proxy[1] as string),
        service: decodeURIComponent(proxy[2] as string),
        port: decodeURIComponent(proxy[3] as string),
        rest: `${proxy[4] ?? '/'}${req.query ? `?${req.query}` : ''}`,
      };
      if (this.opts.proxy) return this.opts.proxy(target, req);
      return { status: 200, body: JSON.stringify({ proxied: target, method: req.method, body: req.body }) };
    }
    const m =
      /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/(log))?$/.exec(
        req.path,
      );
    if (!m) return this.status(404, 'NotFound', `no route for ${req.path}`);
    const apiVersion = (m[1] ?? m[2]) as string;
    const ns = m[3] ? decodeURIComponent(m[3]) : undefined;
    const r = RESOURCE_TO_KIND.get(`${apiVersion}/${m[4]}`);
    if (!r)
      return this.status(404, 'NotFound', `the server could not find the requested resource ${req.path}`);
    const name = m[5] ? decodeURIComponent(m[5]) : undefined;
    const params = new URLSearchParams(req.query);

    if (m[6] === 'log' && r.kind === 'Pod' && name && ns) {
      const container = params.get('container') ?? '';
      const previous = params.get('previous') === 'true';
      const text = this.opts.logs?.[`${ns}/${name}/${container}/${previous}`];
      if (text === undefined) {
        return previous
          ? this.status(
              400,
              'BadRequest',
              `previous terminated container "${container}" in pod "${name}" not found`,
            )
          : { status: 200, headers: { 'content-type': 'text/plain' }, body: '' };
      }
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: text };
    }

    if (name === undefined) {
      if (req.method !== 'GET') return this.status(405, 'MethodNotAllowed', 'collections are read-only here');
      let items = [...this.store.values()].filter(
        (o) => o.kind === r.kind && (ns === undefined || o.metadata.namespace === ns),
      );
      const selector = params.get('labelSelector');
      if (selector) {
        const pairs = selector.split(',').map((p) => p.split('=') as [string, string]);
        items = items.filter((o) => pairs.every(([k, v]) => o.metadata.labels?.[k] === v));
      }
      items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      const offset = Number(params.get('continue') ?? 0);
      const limit = Math.min(Number(params.get('limit') ?? 1e9), this.opts.pageSize ?? 1e9);
      const page = items.slice(offset, offset + limit);
      const next = offset + limit < items.length ? String(offset + limit) : undefined;
      return {
        status: 200,
        body: JSON.stringify({
          kind: `${r.kind}List`,
          apiVersion: r.apiVersion,
          metadata: { resourceVersion: String(this.rv), ...(next ? { continue: next } : {}) },
          // Real list items carry neither apiVersion nor kind.
          items: page.map((o) => {
            const { apiVersion: _a, kind: _k, ...rest } = o;
            return rest;
          }),
        }),
      };
    }

    const key = this.key(r.kind, r.namespaced ? ns : undefined, name);
    if (req.method === 'GET') {
      const o = this.store.get(key);
      return o
        ? { status: 200, body: JSON.stringify(o) }
        : this.status(404, 'NotFound', `${r.resource} "${name}" not found`);
    }
    if (req.method === 'DELETE') {
      const live = this.store.get(key);
      if (live && r.apiVersion.startsWith('chaos-mesh.org/') && this.opts.chaosMeshRecovery === 'stuck') {
        live.metadata.deletionTimestamp = '2026-11-25T12:05:00Z';
        return { status: 200, body: JSON.stringify(live) };
      }
      const existed = this.store.delete(key);
      return existed
        ? { status: 200, body: JSON.stringify({ kind: 'Status', status: 'Success' }) }
        : this.status(404, 'NotFound', `${r.resource} "${name}" not found`);
    }
    if (req.method === 'PATCH') {
      if (req.headers['content-type'] !== 'application/apply-patch+yaml') {
        return this.status(415, 'UnsupportedMediaType', 'only server-side apply is served here');
      }
      const body: unknown = JSON.parse(req.body);
      if (!isKubeObject(body)) return this.status(400, 'BadRequest', 'the body is not an object');
      if (body.metadata.managedFields !== undefined) {
        return this.status(400, 'BadRequest', 'metadata.managedFields must be nil');
      }
      const before = this.store.get(key);
      const generation = (before?.metadata.generation ?? 0) + 1;
      const obj: KubeObject = {
        ...body,
        metadata: {
          ...body.metadata,
          uid: before?.metadata.uid ?? `uid-${name}`,
          resourceVersion: String(++this.rv),
          generation,
          creationTimestamp: before?.metadata.creationTimestamp ?? '2026-11-25T12:00:00Z',
        },
      };
      // As the API server does: stringData is write-only, merged into data (base64).
      if (r.kind === 'Secret' && obj.stringData) {
        const data: Record<string, string> = { ...(obj.data ?? {}) };
        for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(v).toString('base64');
        obj.data = data;
        delete obj.stringData;
      }
      if (r.kind === 'Deployment' && this.opts.autoReady) {
        const replicas = asDeployment(obj)?.spec?.replicas ?? 1;
        obj.status = {
          observedGeneration: generation,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: replicas,
          availableReplicas: replicas,
        };
      } else if (r.kind === 'DaemonSet' && this.opts.autoReady) {
        obj.status = { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2 };
      } else if (r.apiVersion.startsWith('chaos-mesh.org/') && this.opts.chaosMesh) {
        if (before?.metadata.deletionTimestamp && obj.metadata.annotations?.[CLEAN_FINALIZER]) {
          // Chaos Mesh drops its finalizer without recovering: the terminating resource goes.
          this.store.delete(key);
          return { status: 200, body: JSON.stringify(obj) };
        }
        obj.status = this.chaosStatus(obj, this.opts.chaosMesh === 'inject');
      } else if (r.kind === 'CustomResourceDefinition' && this.opts.establishCrds) {
        obj.status = { conditions: [{ type: 'Established', status: 'True' }] };
      } else if (before?.status) obj.status = before.status;
      this.store.set(key, obj);
      return { status: 200, body: JSON.stringify(obj) };
    }
    return this.status(405, 'MethodNotAllowed', req.method);
  }

  /** What Chaos Mesh's controller reports for a resource: one record per selected pod, and its conditions. */
  private chaosStatus(obj: KubeObject, injected: boolean): Record<string, unknown> {
    const spec = (obj.spec ?? {}) as {
      selector?: ChaosSelector;
      target?: { selector?: ChaosSelector };
    };
    const pick = (sel: ChaosSelector | undefined, key: string) =>
      [...this.store.values()]
        .filter(
          (o) =>
            o.kind === 'Pod' &&
            (sel?.namespaces ?? []).includes(o.metadata.namespace ?? '') &&
            Object.entries(sel?.labelSelectors ?? {}).every(([k, v]) => o.metadata.labels?.[k] === v),
        )
        .map((p) => ({
          id: `${p.metadata.namespace}/${p.metadata.name}`,
          selectorKey: key,
          phase: injected ? 'Injected' : 'Not Injected',
          injectedCount: injected ? 1 : 0,
          recoveredCount: 0,
          events: injected
            ? [{ type: 'Succeeded', operation: 'Apply', timestamp: '2026-11-25T12:00:01Z' }]
            : [
                {
                  type: 'Failed',
                  operation: 'Apply',
                  message: 'rpc error: code = Unavailable desc = connection refused',
                  timestamp: '2026-11-25T12:00:01Z',
                },
              ],
        }));
    const records = [...pick(spec.selector, '.'), ...pick(spec.target?.selector, 'target')];
    const selected = records.length > 0;
    return {
      conditions: [
        { type: 'Selected', status: selected ? 'True' : 'False' },
        { type: 'AllInjected', status: selected && injected ? 'True' : 'False' },
        { type: 'AllRecovered', status: 'False' },
        { type: 'Paused', status: 'False' },
      ],
      experiment: { desiredPhase: 'Run', containerRecords: records },
    };
  }
}

interface ChaosSelector {
  namespaces?: string[];
  labelSelectors?: Record<string, string>;
}

/** Chaos Mesh drops its finalizer without recovering when a resource carries this annotation. */
const CLEAN_FINALIZER = 'chaos-mesh.chaos-mesh.org/cleanFinalizer';
