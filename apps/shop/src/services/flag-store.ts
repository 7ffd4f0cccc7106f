import { parseFlagKey, validateSetting } from '../runtime/settings.js';

export interface AuditEntry {
  ts: string;
  key: string;
  action: 'set' | 'delete' | 'clear';
  value: unknown;
  actor: string;
}

export type SetResult = { ok: true; value: unknown } | { ok: false; error: string };

/** Flags in memory plus a bounded audit trail of every change (who, what, when). */
export class FlagStore {
  private readonly flags = new Map<string, unknown>();
  private readonly audit: AuditEntry[] = [];

  constructor(
    private readonly maxAudit: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** All flags, or only `<service>.*` ones. */
  list(service?: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of [...this.flags].sort(([a], [b]) => a.localeCompare(b))) {
      if (service === undefined || k.startsWith(`${service}.`)) out[k] = v;
    }
    return out;
  }

  get(key: string): unknown {
    return this.flags.get(key);
  }

  /** Validates key and value against the known settings; stores the value with defaults filled in. */
  set(key: string, value: unknown, actor: string): SetResult {
    const parsed = parseFlagKey(key);
    if (!parsed) return { ok: false, error: `unknown key "${key}": expected <service>.<setting>` };
    const check = validateSetting(parsed.setting, value);
    if (!check.ok) return { ok: false, error: check.error };
    this.flags.set(key, check.value);
    this.record(key, 'set', check.value, actor);
    return { ok: true, value: check.value };
  }

  /** True when the key existed. */
  delete(key: string, actor: string): boolean {
    const had = this.flags.delete(key);
    if (had) this.record(key, 'delete', null, actor);
    return had;
  }

  clear(actor: string): number {
    const keys = [...this.flags.keys()];
    this.flags.clear();
    for (const k of keys) this.record(k, 'clear', null, actor);
    return keys.length;
  }

  auditTrail(): readonly AuditEntry[] {
    return this.audit;
  }

  private record(key: string, action: AuditEntry['action'], value: unknown, actor: string): void {
    this.audit.push({ ts: this.now().toISOString(), key, action, value, actor });
    if (this.audit.length > this.maxAudit) this.audit.splice(0, this.audit.length - this.maxAudit);
  }
}
