/**
 * The chaos engine a substrate lends to the network, DNS, stress, I/O and clock fault types. Each
 * experiment names workloads (Deployments) and what to disturb; the substrate turns it into its own
 * mechanism: Chaos Mesh resources on Kubernetes, the Service proxies and a neighbour process on the local
 * substrate. A fault type written against it runs wherever its capability is provided.
 */

/** A Deployment, whose pods an experiment selects by its pod selector. */
export interface WorkloadRef {
  namespace: string;
  name: string;
}

export type NetworkAction = 'delay' | 'loss' | 'corrupt' | 'bandwidth' | 'partition';

/**
 * Which packets between caller and callee are disturbed, in Chaos Mesh's words: `to` those the caller
 * sends (requests), `from` those the callee sends back (responses), `both` all of them.
 */
export type NetworkDirection = 'to' | 'from' | 'both';

export interface NetworkExperiment {
  kind: 'network';
  action: NetworkAction;
  /** The calling workload (Chaos Mesh's selector). */
  from: WorkloadRef;
  /** The called workload (Chaos Mesh's target). */
  to: WorkloadRef;
  direction: NetworkDirection;
  /** Only traffic to this container port of the callee. */
  port?: number;
  delay?: { latencyMs: number; jitterMs: number; correlation: number };
  /** Percentages 0 … 100, as tc netem takes them. */
  loss?: { percent: number; correlation: number };
  corrupt?: { percent: number; correlation: number };
  /** Token bucket: rate as tc writes it and in bytes per second, queue limit and bucket size in bytes. */
  bandwidth?: { rate: string; bytesPerSecond: number; limitBytes: number; bufferBytes: number };
}

export interface DnsExperiment {
  kind: 'dns';
  /** `error`: lookups fail; `random`: they answer an address where nothing of the app listens. */
  action: 'error' | 'random';
  /** The workload whose lookups are disturbed. */
  from: WorkloadRef;
  /** Service names as the app writes them (`cart`, `cart.shop`, `cart.shop.svc.cluster.local`). */
  names: string[];
}

export interface StressExperiment {
  kind: 'stress';
  /** The workload whose containers get the stressors beside them (counted in their usage). */
  workload: WorkloadRef;
  /** Busy workers, each at `load` percent of one core. */
  cpu?: { workers: number; load: number };
  /** Workers that together hold `sizeBytes` of memory. */
  memory?: { workers: number; sizeBytes: number };
}

export interface IoExperiment {
  kind: 'io';
  workload: WorkloadRef;
  container?: string;
  /** Mount path of the volume in the container. */
  volumePath: string;
  /** Glob of the files affected under the volume; default all. */
  path?: string;
  delayMs: number;
  /** Share of the file operations delayed, 1 … 100. */
  percent: number;
  /** File operations affected; default all. */
  methods?: string[];
}

export interface TimeExperiment {
  kind: 'time';
  workload: WorkloadRef;
  container?: string;
  /** How far the container's clocks are moved, ms (negative: into the past). */
  offsetMs: number;
  clockIds: string[];
}

export type ChaosExperiment =
  NetworkExperiment | DnsExperiment | StressExperiment | IoExperiment | TimeExperiment;

/** An experiment in force. */
export interface RunningChaos {
  /** One line for the run log: what `stop` takes back. Never copied into snapshot/. */
  readonly description: string;
  /** Takes the experiment back and resolves once the engine reports every pod recovered. */
  stop(): Promise<void>;
}

export interface ChaosApi {
  /**
   * Puts an experiment in force and resolves once the engine reports it applied to every selected pod.
   * When it fails part way (or `signal` aborts), whatever it started is taken back before it rejects.
   */
  start(experiment: ChaosExperiment, signal: AbortSignal): Promise<RunningChaos>;
}
