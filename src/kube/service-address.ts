/** `cart`, `cart.shop`, `cart.shop.svc`, `cart.shop.svc.cluster.local` → `shop/cart` (namespace defaulted). */
export function serviceOfName(name: string, defaultNamespace: string): string | undefined {
  const parts = name.toLowerCase().replace(/\.$/, '').split('.');
  const [svc, ns, ...rest] = parts;
  if (!svc) return undefined;
  const tail = rest.join('.');
  if (rest.length > 0 && tail !== 'svc' && tail !== 'svc.cluster.local') return undefined;
  return `${ns ?? defaultNamespace}/${svc}`;
}

/** How an in-cluster Service name may be written; every form resolves to the same Service from its namespace. */
export const ADDRESS_FORMS = ['short', 'namespaced', 'fqdn'] as const;
export type AddressForm = (typeof ADDRESS_FORMS)[number];

// `[scheme://]host[:port][/path]`, host one of the forms above.
const ADDRESS =
  /^([a-z][a-z0-9+.-]*:\/\/)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)((?:\.[a-z0-9-]+)*)(:\d+)?(\/.*)?$/i;

/**
 * The Service an env value addresses in `namespace` (`catalog`, `http://catalog.shop:8080`,
 * `catalog.shop.svc.cluster.local`), and the form it is written in; undefined for anything else.
 */
export function addressedService(
  value: string,
  namespace: string,
): { service: string; form: AddressForm } | undefined {
  const m = ADDRESS.exec(value);
  if (!m) return undefined;
  const rest = m[4];
  const form: AddressForm | undefined =
    rest === ''
      ? 'short'
      : rest === `.${namespace}`
        ? 'namespaced'
        : rest === `.${namespace}.svc.cluster.local`
          ? 'fqdn'
          : undefined;
  return form ? { service: m[2], form } : undefined;
}

/** The same address in another form: `http://catalog:8080` → `http://catalog.shop.svc.cluster.local:8080`. */
export function rewriteAddress(value: string, namespace: string, form: AddressForm): string | undefined {
  const m = ADDRESS.exec(value);
  if (!m || !addressedService(value, namespace)) return undefined;
  const host =
    form === 'short'
      ? m[2]
      : form === 'namespaced'
        ? `${m[2]}.${namespace}`
        : `${m[2]}.${namespace}.svc.cluster.local`;
  return `${m[1] ?? ''}${host}${m[5] ?? ''}${m[6] ?? ''}`;
}

/**
 * Whether two addresses reach the same Service, port and path from `namespace`, whichever form each names
 * it in (`http://catalog:8080` and `http://catalog.shop.svc.cluster.local:8080`). False when either is no
 * Service address.
 */
export function sameServiceAddress(a: string, b: string, namespace: string): boolean {
  const key = (value: string): string | undefined => {
    const m = ADDRESS.exec(value);
    const service = m && serviceOfName(`${m[2]}${m[4]}`, namespace);
    return service ? `${(m[1] ?? '').toLowerCase()}${service}${m[5] ?? ''}${m[6] ?? ''}` : undefined;
  };
  const ka = key(a);
  return ka !== undefined && ka === key(b);
}
