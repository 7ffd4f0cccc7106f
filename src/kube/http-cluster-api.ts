import { KubeApiError } from '../errors/kube-api-error.js';
import { apiResource, labelSelector, resourcePath } from './api-resources.js';
import type { ClusterApi, PodLogOptions, ServerVersion } from './cluster-api.js';
import type { KubeObject, ObjectMeta } from './kube-object.js';
import type { KubeRequest, KubeResponse, KubeTransport } from './kube-transport.js';

/** Field manager of every server-side apply firedrill makes. */
export const FIELD_MANAGER = 'firedrill';
export const APPLY_CONTENT_TYPE = 'application/apply-patch+yaml';
const PAGE_SIZE = 500;

/** Why a log request found nothing to read; the kubelet answers these with 400 or 404. */
const NO_LOG =
  /previous terminated container .* not found|is waiting to start|ContainerCreating|PodInitializing|not found/i;

interface Status {
  kind?: string;
  message?: string;
  reason?: string;
}

/**
 * ClusterApi over a KubeTransport with plain JSON objects. `apply` is server-side apply with field
 * manager `firedrill` and force (firedrill owns the objects it deploys, and a fault must win over
 * whatever changed a field last); the object is sent as JSON, which is YAML, under the apply-patch
 * content type.
 */
export class HttpClusterApi implements ClusterApi {
  constructor(private readonly transport: KubeTransport) {}

  get server(): string {
    return this.transport.server;
  }

  async get(kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const r = apiResource(kind);
    const res = await this.send({ method: 'GET', path: resourcePath(r, namespace, name) }, [404]);
    if (res.status === 404) return undefined;
    return withType(json<KubeObject>(res), r.apiVersion, kind);
  }

  async list(kind: string, namespace?: string, selector?: Record<string, string>): Promise<KubeObject[]> {
    const r = apiResource(kind);
    const path = resourcePath(r, namespace);
    const out: KubeObject[] = [];
    let cont: string | undefined;
    do {
      const res = await this.send({
        method: 'GET',
        path,
        query: {
          labelSelector: selector && Object.keys(selector).length > 0 ? labelSelector(selector) : undefined,
          limit: PAGE_SIZE,
          continue: cont,
        },
      });
      const page = json<{ apiVersion?: string; items?: KubeObject[]; metadata?: { continue?: string } }>(res);
      // List items come without apiVersion and kind; entity ids and re-applies need both.
      for (const item of page.items ?? []) out.push(withType(item, page.apiVersion ?? r.apiVersion, kind));
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return out;
  }

  async apply(obj: KubeObject): Promise<KubeObject> {
    const r = apiResource(obj.kind, obj.apiVersion);
    const body = applyBody(obj);
    const res = await this.send({
      method: 'PATCH',
      path: resourcePath(r, obj.metadata.namespace, obj.metadata.name),
      query: { fieldManager: FIELD_MANAGER, force: true },
      headers: { 'content-type': APPLY_CONTENT_TYPE },
      body: JSON.stringify(body),
    });
    return withType(json<KubeObject>(res), r.apiVersion, obj.kind);
  }

  async delete(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    const r = apiResource(kind);
    // As kubectl deletes: dependents go too. Without it a Job's pods are orphaned (its API default).
    const res = await this.send(
      {
        method: 'DELETE',
        path: resourcePath(r, namespace, name),
        query: { propagationPolicy: 'Background' },
      },
      [404],
    );
    return res.status !== 404;
  }

  async version(): Promise<ServerVersion> {
    return json<ServerVersion>(await this.send({ method: 'GET', path: '/version', timeoutMs: 10_000 }));
  }

  events(): Promise<KubeObject[]> {
    return this.list('Event');
  }

  async podLog(namespace: string, pod: string, opts: PodLogOptions): Promise<string> {
    const path = `${resourcePath(apiResource('Pod'), namespace, pod)}/log`;
    const res = await this.send(
      {
        method: 'GET',
        path,
        headers: { accept: 'text/plain, */*' },
        query: {
          container: opts.container,
          timestamps: true,
          previous: opts.previous ? true : undefined,
          sinceTime: opts.sinceTime?.toISOString(),
          limitBytes: opts.limitBytes,
        },
        timeoutMs: 60_000,
      },
      [400, 404],
    );
    // 204 No Content is the answer for a pod no node was assigned to (never scheduled): nothing to read.
    if (res.status >= 200 && res.status < 300) return res.body.toString('utf8');
    const status = statusOf(res);
    if (NO_LOG.test(status.message ?? '')) return '';
    throw apiError('GET', path, res, status);
  }

  /** Sends; any status >= 400 not in `allowed` becomes a KubeApiError with the server's message. */
  private async send(req: KubeRequest, allowed: readonly number[] = []): Promise<KubeResponse> {
    const res = await this.transport.request(req);
    if (res.status >= 400 && !allowed.includes(res.status)) {
      throw apiError(req.method, req.path, res, statusOf(res));
    }
    return res;
  }
}

const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
] as const satisfies ReadonlyArray<keyof ObjectMeta>;

/**
 * The object as an apply body: server-populated metadata and status removed. managedFields must not be
 * sent at all, a resourceVersion would turn the apply into a compare-and-swap, and status is not
 * written through the main resource.
 */
export function applyBody(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  for (const key of SERVER_METADATA) delete copy.metadata[key];
  delete copy.status;
  return copy;
}

function withType(obj: KubeObject, apiVersion: string, kind: string): KubeObject {
  obj.apiVersion ??= apiVersion;
  obj.kind ??= kind;
  return obj;
}

function json<T>(res: KubeResponse): T {
  return JSON.parse(res.body.toString('utf8')) as T;
}

function statusOf(res: KubeResponse): Status {
  try {
    return JSON.parse(res.body.toString('utf8')) as Status;
  } catch {
    return { message: res.body.toString('utf8').slice(0, 300) };
  }
}

function apiError(method: string, path: string, res: KubeResponse, status: Status): KubeApiError {
  return new KubeApiError(
    method,
    path,
    res.status,
    status.message || `HTTP ${res.status}`,
    status.reason || undefined,
  );
}
