/** How an in-cluster Service name may be written; every form resolves to the same Service from its namespace. */
export const ADDRESS_FORMS = ['short', 'namespaced', 'fqdn'] as const;
export type AddressForm = (typeof ADDRESS_FORMS)[number];

// `[scheme://]host[:port][/path]`, host one of the forms above.
const ADDRESS = /^([a-z][a-z0-9+.-]*:\/\/)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)((?:\.[a-z0-9-]+)*)(:\d+)?(\/.*)?$/;

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
