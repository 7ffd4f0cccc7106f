import { z } from 'zod';

/**
 * Runtime settings a service reads from the flags service under keys `<service>.<setting>`. The names are
 * ordinary operational knobs on purpose: an agent reading the shop's logs must not be told what happened.
 */
export const SETTING_SCHEMAS = {
  /** Added delay on matching inbound requests. */
  latency: z.object({
    ms: z.number().int().min(0).max(600_000),
    probability: z.number().min(0).max(1).default(1),
    route: z.string().min(1).optional(),
    /** Only in this pod (POD_NAME); absent: every pod of the service. Honoured for probe paths. */
    pod: z.string().min(1).optional(),
  }),
  /** Answer that fraction of matching inbound requests with `status`. */
  errors: z.object({
    fraction: z.number().min(0).max(1),
    status: z.number().int().min(400).max(599).default(500),
    route: z.string().min(1).optional(),
  }),
  /** Keep that fraction of one core busy. */
  cpu: z.object({ fraction: z.number().min(0).max(1) }),
  /** Allocate and retain memory at this rate until the process is killed. */
  retention: z.object({ mbPerMinute: z.number().positive().max(100_000) }),
  /** Dial `address` instead of the configured endpoint of one dependency. */
  upstream: z.object({
    dependency: z.string().min(1),
    address: z.string().regex(/^[^\s:/]+:\d{1,5}$/, { error: 'must be host:port' }),
  }),
  /** The catalog cache / the cart's product read-through. */
  cache: z.object({ enabled: z.boolean() }),
  /** Sample that fraction of database transactions for the audit trail (postgres-client.ts). */
  audit: z.object({ fraction: z.number().min(0).max(1) }),
  /** A queue consumer's flow control: 0 messages in flight holds its reads. */
  consumer: z.object({ maxInFlight: z.number().int().min(0).max(1000) }),
} as const;

export type SettingName = keyof typeof SETTING_SCHEMAS;
export const SETTING_NAMES = Object.keys(SETTING_SCHEMAS) as SettingName[];

export type LatencySetting = z.infer<typeof SETTING_SCHEMAS.latency>;
export type ErrorsSetting = z.infer<typeof SETTING_SCHEMAS.errors>;
export type CpuSetting = z.infer<typeof SETTING_SCHEMAS.cpu>;
export type RetentionSetting = z.infer<typeof SETTING_SCHEMAS.retention>;
export type UpstreamSetting = z.infer<typeof SETTING_SCHEMAS.upstream>;
export type CacheSetting = z.infer<typeof SETTING_SCHEMAS.cache>;
export type AuditSetting = z.infer<typeof SETTING_SCHEMAS.audit>;
export type ConsumerSetting = z.infer<typeof SETTING_SCHEMAS.consumer>;

export interface RuntimeSettings {
  latency?: LatencySetting;
  errors?: ErrorsSetting;
  cpu?: CpuSetting;
  retention?: RetentionSetting;
  upstream?: UpstreamSetting;
  cache?: CacheSetting;
  audit?: AuditSetting;
  consumer?: ConsumerSetting;
}

export function isSettingName(s: string): s is SettingName {
  return Object.prototype.hasOwnProperty.call(SETTING_SCHEMAS, s);
}

/** `cart.latency` → {service: 'cart', setting: 'latency'}; undefined when the key is not of that shape. */
export function parseFlagKey(key: string): { service: string; setting: SettingName } | undefined {
  const m = /^([a-z][a-z0-9-]*)\.([a-z]+)$/.exec(key);
  if (!m || !isSettingName(m[2])) return undefined;
  return { service: m[1], setting: m[2] };
}

export type SettingCheck = { ok: true; value: RuntimeSettings[SettingName] } | { ok: false; error: string };

export function validateSetting(setting: SettingName, value: unknown): SettingCheck {
  const r = SETTING_SCHEMAS[setting].safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const path = issue.path.map(String).join('.');
  return { ok: false, error: `${setting}${path ? '.' + path : ''}: ${issue.message}` };
}

/** Picks out and validates `service`'s settings from a flags document; invalid entries are reported, not applied. */
export function settingsFor(
  service: string,
  flags: Readonly<Record<string, unknown>>,
): { settings: RuntimeSettings; rejected: string[] } {
  const settings: RuntimeSettings = {};
  const rejected: string[] = [];
  for (const [key, value] of Object.entries(flags)) {
    const parsed = parseFlagKey(key);
    if (!parsed || parsed.service !== service) continue;
    const check = validateSetting(parsed.setting, value);
    if (check.ok) (settings as Record<string, unknown>)[parsed.setting] = check.value;
    else rejected.push(check.error);
  }
  return { settings, rejected };
}

/** Whether a latency/errors setting scoped to `route` applies: the templated route or a path prefix. */
export function routeMatches(scope: string | undefined, route: string, path: string): boolean {
  if (scope === undefined) return true;
  return scope === route || path === scope || path.startsWith(scope.endsWith('/') ? scope : scope + '/');
}
