import { ManagedProcess } from '../../process/managed-process.js';
import type { ProcessRegistry } from '../../process/process-registry.js';
import type { ContainerLaunch, ContainerProcess, ContainerRuntime } from './container-runtime.js';
import { groupUsage } from './process-usage.js';

/** Runs containers as process groups on this machine, from a clean environment like a container's. */
export class ProcessContainerRuntime implements ContainerRuntime {
  constructor(private readonly registry?: ProcessRegistry) {}

  async start(launch: ContainerLaunch): Promise<ContainerProcess> {
    const p = await ManagedProcess.start({
      name: launch.id,
      command: launch.command,
      args: launch.args,
      env: launch.env,
      cleanEnv: true,
      cwd: launch.cwd,
      registry: this.registry,
      onLine: (l) => launch.onLine(l.stream, l.line),
    });
    // The kubelet's poll asks for memory then CPU: one read of /proc serves both.
    let last: { at: number; value: Promise<{ rssBytes: number; cpuSeconds: number }> } | undefined;
    const usage = (): Promise<{ rssBytes: number; cpuSeconds: number }> => {
      const now = Date.now();
      if (!last || now - last.at > 100) last = { at: now, value: groupUsage(p.pid) };
      return last.value;
    };
    return {
      pid: p.pid,
      exited: p.exited,
      stop: (graceMs) => p.stop(graceMs),
      kill: (sig) => {
        p.signal(sig);
      },
      rssBytes: async () => (await usage()).rssBytes,
      cpuSeconds: async () => (await usage()).cpuSeconds,
    };
  }
}
