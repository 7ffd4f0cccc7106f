import type { ExitInfo, LineListener, OutputLine } from '../../../process/managed-process.js';
import type { ToolLocation } from '../../../tools/find-tool.js';

/** What the local substrate needs from each observability process it runs. */
export interface ObservabilityService {
  /** `prometheus`, `alertmanager`, `redis`. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Base URL (`http://127.0.0.1:<port>` or `redis://127.0.0.1:<port>`), never with credentials. */
  readonly url: string;
  readonly pid: number;
  /** The executable and its version, for the bundle manifest's environment. */
  readonly binary: ToolLocation;
  /** Receives every output line the process writes. */
  onLine(listener: LineListener): () => void;
  recentOutput(): OutputLine[];
  readonly running: boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<ExitInfo>;
}
