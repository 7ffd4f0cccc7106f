/**
 * Loaded into every Node container of the local substrate (`node --import`), it plays the pod's
 * /etc/resolv.conf: names are looked up at the substrate's cluster DNS (cluster-dns.ts), from the pod's
 * own address, through the pod's search path (`<ns>.svc.cluster.local svc.cluster.local cluster.local`,
 * ndots 5), and fail as glibc's getaddrinfo fails: `ENOTFOUND` when no name answers, `EAI_AGAIN` when the
 * server fails. Without it the substrate had to write Service addresses into the environment, so apps
 * logged IPs where a cluster's log names, and a lookup could not fail at all.
 *
 * Self-contained on purpose: it runs inside the app's process before the app loads.
 */
import dns, { type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';

const server = process.env.FIREDRILL_CLUSTER_DNS;
const namespace = process.env.FIREDRILL_POD_NAMESPACE ?? 'default';
const podIp = process.env.FIREDRILL_POD_IP;
const NDOTS = 5;

type Callback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

function getaddrinfoError(code: 'ENOTFOUND' | 'EAI_AGAIN', hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), {
    code,
    errno: code === 'ENOTFOUND' ? -3008 : -3001,
    syscall: 'getaddrinfo',
    hostname,
  });
}

/** The names glibc asks for, in order, for `hostname` under the pod's search path. */
export function candidates(hostname: string, ns: string): string[] {
  const name = hostname.replace(/\.$/, '');
  if (hostname.endsWith('.')) return [name];
  const searched = [`${ns}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'].map(
    (d) => `${name}.${d}`,
  );
  const dots = name.split('.').length - 1;
  return dots >= NDOTS ? [name, ...searched] : [...searched, name];
}

function install(address: string): void {
  const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([address]);
  if (podIp) resolver.setLocalAddress(podIp);
  const system = dns.lookup.bind(dns);

  const resolveOne = (name: string): Promise<string[] | 'nxdomain' | 'failed'> =>
    new Promise((resolve) => {
      resolver.resolve4(name, (err, addresses) => {
        if (!err) resolve(addresses.length > 0 ? addresses : 'nxdomain');
        else resolve(err.code === dns.NOTFOUND || err.code === dns.NODATA ? 'nxdomain' : 'failed');
      });
    });

  async function lookupCluster(hostname: string): Promise<string[]> {
    for (const name of candidates(hostname, namespace)) {
      const answer = await resolveOne(name);
      if (answer === 'failed') throw getaddrinfoError('EAI_AGAIN', hostname);
      if (answer !== 'nxdomain') return answer;
    }
    throw getaddrinfoError('ENOTFOUND', hostname);
  }

  function lookup(
    hostname: string,
    options: number | LookupOneOptions | LookupAllOptions | Callback,
    callback?: Callback,
  ): void {
    const cb = (typeof options === 'function' ? options : callback) as Callback;
    const opts =
      typeof options === 'function' ? {} : typeof options === 'number' ? { family: options } : options;
    if (!hostname || isIP(hostname) || hostname === 'localhost' || opts.family === 6) {
      (system as (...a: unknown[]) => void)(hostname, opts, cb);
      return;
    }
    lookupCluster(hostname).then(
      (addresses) => {
        if ('all' in opts && opts.all)
          cb(
            null,
            addresses.map((a) => ({ address: a, family: 4 })),
          );
        else cb(null, addresses[0], 4);
      },
      (err: NodeJS.ErrnoException) => cb(err, ''),
    );
  }

  Object.defineProperty(dns, 'lookup', { value: lookup, writable: true, configurable: true });
}

if (server) install(server);
