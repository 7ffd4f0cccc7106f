import type { Labels } from '../bundle/records.js';

/** An alert as Alertmanager's /api/v2/alerts reports it (gettableAlert). */
export interface AlertmanagerAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  generatorURL?: string;
  receivers: Array<{ name: string }>;
  status: {
    state: 'active' | 'suppressed' | 'unprocessed';
    silencedBy: string[];
    inhibitedBy: string[];
  };
}

export interface AlertFilter {
  /** Defaults as in Alertmanager: all true. */
  active?: boolean;
  silenced?: boolean;
  inhibited?: boolean;
  unprocessed?: boolean;
  /** Label matchers such as `alertname="X"`. */
  filter?: readonly string[];
  /** Regex on receiver names. */
  receiver?: string;
}

export interface AlertmanagerStatus {
  /** `ready`, `settling` or `disabled` (clustering off, as on the local substrate). */
  clusterStatus: string;
  version: string;
  uptime: string;
  /** The config Alertmanager runs, as YAML text. */
  configYaml: string;
}

/** Alertmanager's API v2 as capture uses it; AlertmanagerHttpClient is the real one. */
export interface AlertmanagerApi {
  alerts(filter?: AlertFilter): Promise<AlertmanagerAlert[]>;
  status(): Promise<AlertmanagerStatus>;
}
