/** What the local kubelet needs from the machine to run one container as a process. */
export interface ContainerLaunch {
  /** `namespace/pod/container`, for logs and pid files. */
  id: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  onLine(stream: 'stdout' | 'stderr', line: string): void;
}

export interface ContainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ContainerProcess {
  readonly pid: number;
  readonly exited: Promise<ContainerExit>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs: number): Promise<ContainerExit>;
  kill(signal: NodeJS.Signals): void;
  /** Resident set size of the container's process group, bytes. */
  rssBytes(): Promise<number>;
  /** CPU time (user + system) of the container's processes, seconds. */
  cpuSeconds(): Promise<number>;
}

export interface ContainerRuntime {
  /** Throws when the command cannot be started (ENOENT...). */
  start(launch: ContainerLaunch): Promise<ContainerProcess>;
}
