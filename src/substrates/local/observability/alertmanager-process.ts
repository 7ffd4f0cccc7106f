import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitInfo, LineListener, ManagedProcess, OutputLine } from '../../../process/managed-process.js';
import type { ProcessRegistry } from '../../../process/process-registry.js';
import { requireTool, type ToolLocation } from '../../../tools/find-tool.js';
import { ALERTMANAGER } from '../../../tools/tool-specs.js';
import type { Clock } from '../../../util/clock.js';
import { writeFileAtomic } from '../../../util/write-file-atomic.js';
import { alertmanagerConfigText } from './alertmanager-config.js';
import type { ObservabilityService } from './observability-service.js';
import { httpOk, startService } from './start-service.js';

export interface AlertmanagerProcessOptions {
  /** Holds alertmanager.yml (a copy of the config used) and `alertmanager-data/`. */
  workDir: string;
  /** Config to use; default manifests/alertmanager/alertmanager.yml, or a generated equivalent. */
  configFile?: string;
  binary?: ToolLocation;
  readyTimeoutMs?: number;
  registry?: ProcessRegistry;
  onLine?: LineListener;
  clock?: Clock;
  extraArgs?: readonly string[];
}

/**
 * An Alertmanager on a free loopback port, clustering disabled: left on, it binds 0.0.0.0:9094 and
 * gossips, clashing with any other Alertmanager on the machine (a second run, a system service).
 */
export class AlertmanagerProcess implements ObservabilityService {
  readonly name = 'alertmanager';
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly url: string;
  readonly binary: ToolLocation;
  readonly configPath: string;
  /** Where the config came from: a file path or `generated`. */
  readonly configSource: string;
  private readonly proc: ManagedProcess;

  private constructor(
    proc: ManagedProcess,
    port: number,
    binary: ToolLocation,
    configPath: string,
    configSource: string,
  ) {
    this.proc = proc;
    this.port = port;
    this.url = `http://${this.host}:${port}`;
    this.binary = binary;
    this.configPath = configPath;
    this.configSource = configSource;
  }

  static async start(opts: AlertmanagerProcessOptions): Promise<AlertmanagerProcess> {
    const binary = opts.binary ?? (await requireTool(ALERTMANAGER));
    const dataDir = join(opts.workDir, 'alertmanager-data');
    mkdirSync(dataDir, { recursive: true });
    const configPath = join(opts.workDir, 'alertmanager.yml');
    const { text, source } = alertmanagerConfigText(opts.configFile);
    writeFileAtomic(configPath, text);
    const { process, port } = await startService({
      name: 'alertmanager',
      command: binary.path,
      args: (p) => [
        `--config.file=${configPath}`,
        `--storage.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${p}`,
        '--cluster.listen-address=',
        ...(opts.extraArgs ?? []),
      ],
      cwd: opts.workDir,
      ready: (p, signal) => httpOk(`http://127.0.0.1:${p}/-/ready`, signal),
      readyTimeoutMs: opts.readyTimeoutMs,
      registry: opts.registry,
      onLine: opts.onLine,
      clock: opts.clock,
    });
    return new AlertmanagerProcess(process, port, binary, configPath, source);
  }

  get pid(): number {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.running;
  }

  onLine(listener: LineListener): () => void {
    return this.proc.onLine(listener);
  }

  recentOutput(): OutputLine[] {
    return this.proc.recentOutput();
  }

  stop(graceMs = 5000): Promise<ExitInfo> {
    return this.proc.stop(graceMs);
  }
}
