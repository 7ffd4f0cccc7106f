import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../../errors/exit-codes.js';
import { FiredrillError } from '../../../errors/firedrill-error.js';
import type { ExitInfo, LineListener, ManagedProcess, OutputLine } from '../../../process/managed-process.js';
import type { ProcessRegistry } from '../../../process/process-registry.js';
import { requireTool, type ToolLocation } from '../../../tools/find-tool.js';
import { PROMETHEUS } from '../../../tools/tool-specs.js';
import type { Clock } from '../../../util/clock.js';
import { writeFileAtomic } from '../../../util/write-file-atomic.js';
import type { ObservabilityService } from './observability-service.js';
import { renderPrometheusConfig, type PrometheusConfigInput } from './prometheus-config.js';
import { httpOk, startService } from './start-service.js';

export interface PrometheusProcessOptions extends PrometheusConfigInput {
  /** Holds prometheus.yml and the TSDB (`data/`); created if missing. */
  workDir: string;
  /** The prometheus executable; found with requireTool when absent. */
  binary?: ToolLocation;
  /** TSDB retention; default `1d` (a run lasts minutes). */
  retention?: string;
  /** Default 30 s; replaying a large WAL could take longer. */
  readyTimeoutMs?: number;
  registry?: ProcessRegistry;
  onLine?: LineListener;
  clock?: Clock;
  /**
   * Minimum time between re-sends of a firing alert to Alertmanager; default the evaluation interval.
   * Prometheus' own default (1 m) hurts here: an alert that fires before Prometheus has discovered the
   * Alertmanager is dropped, and would only arrive a minute later.
   */
  alertResendDelaySec?: number;
  /** Extra command-line flags, appended. */
  extraArgs?: readonly string[];
}

/** The parts of the config that may change while Prometheus runs. */
export type PrometheusReload = Partial<
  Pick<PrometheusConfigInput, 'targets' | 'extraJobs' | 'ruleFiles' | 'alertmanagers'>
>;

/**
 * A Prometheus server on a free loopback port with a generated config. `reload()` rewrites the
 * config and asks Prometheus to re-read it, for when replicas come and go.
 */
export class PrometheusProcess implements ObservabilityService {
  readonly name = 'prometheus';
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly url: string;
  readonly binary: ToolLocation;
  readonly configPath: string;
  readonly dataDir: string;
  private readonly proc: ManagedProcess;
  private input: PrometheusConfigInput;

  private constructor(
    proc: ManagedProcess,
    port: number,
    binary: ToolLocation,
    configPath: string,
    dataDir: string,
    input: PrometheusConfigInput,
  ) {
    this.proc = proc;
    this.port = port;
    this.url = `http://${this.host}:${port}`;
    this.binary = binary;
    this.configPath = configPath;
    this.dataDir = dataDir;
    this.input = input;
  }

  static async start(opts: PrometheusProcessOptions): Promise<PrometheusProcess> {
    const binary = opts.binary ?? (await requireTool(PROMETHEUS));
    const configPath = join(opts.workDir, 'prometheus.yml');
    const dataDir = join(opts.workDir, 'prometheus-data');
    mkdirSync(dataDir, { recursive: true });
    const input = configInput(opts);
    // Validate before starting: a bad target list is our bug and should not cost a process start.
    const text = renderPrometheusConfig(input);
    writeFileAtomic(configPath, text);
    const { process, port } = await startService({
      name: 'prometheus',
      command: binary.path,
      args: (p) => [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${p}`,
        `--storage.tsdb.retention.time=${opts.retention ?? '1d'}`,
        // Needed for POST /-/reload.
        '--web.enable-lifecycle',
        `--rules.alert.resend-delay=${durationFlag(opts.alertResendDelaySec ?? opts.evaluationIntervalSec ?? 5)}`,
        ...(opts.extraArgs ?? []),
      ],
      cwd: opts.workDir,
      ready: (p, signal) => httpOk(`http://127.0.0.1:${p}/-/ready`, signal),
      readyTimeoutMs: opts.readyTimeoutMs,
      registry: opts.registry,
      onLine: opts.onLine,
      clock: opts.clock,
    });
    return new PrometheusProcess(process, port, binary, configPath, dataDir, input);
  }

  get pid(): number {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.running;
  }

  /** The config input currently loaded. */
  get config(): PrometheusConfigInput {
    return this.input;
  }

  onLine(listener: LineListener): () => void {
    return this.proc.onLine(listener);
  }

  recentOutput(): OutputLine[] {
    return this.proc.recentOutput();
  }

  /**
   * Rewrites prometheus.yml with the changed parts and POSTs /-/reload. Prometheus answers an error
   * (and keeps the old config) when the new one is invalid; that error is thrown here.
   */
  async reload(change: PrometheusReload = {}, timeoutMs = 10_000): Promise<void> {
    const next: PrometheusConfigInput = { ...this.input, ...definedOnly(change) };
    writeFileAtomic(this.configPath, renderPrometheusConfig(next));
    const res = await fetch(`${this.url}/-/reload`, {
      method: 'POST',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.text()).trim();
    if (!res.ok) {
      // Prometheus still runs the old config; keep the file in step so a restart behaves the same.
      writeFileAtomic(this.configPath, renderPrometheusConfig(this.input));
      throw new FiredrillError(
        `prometheus rejected the new config (${this.configPath}): HTTP ${res.status}: ${body}`,
        ExitCode.SubstrateError,
      );
    }
    this.input = next;
  }

  stop(graceMs = 5000): Promise<ExitInfo> {
    return this.proc.stop(graceMs);
  }
}

function configInput(opts: PrometheusProcessOptions): PrometheusConfigInput {
  return {
    scrapeIntervalSec: opts.scrapeIntervalSec,
    evaluationIntervalSec: opts.evaluationIntervalSec,
    ruleFiles: opts.ruleFiles,
    alertmanagers: opts.alertmanagers,
    targets: opts.targets,
    extraJobs: opts.extraJobs,
    externalLabels: opts.externalLabels,
  };
}

function durationFlag(sec: number): string {
  return Number.isInteger(sec) ? `${sec}s` : `${Math.max(1, Math.round(sec * 1000))}ms`;
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `host:port` of a base URL such as AlertmanagerProcess.url, for PrometheusConfigInput.alertmanagers. */
export function hostPort(url: string): string {
  const u = new URL(url);
  return u.host;
}
