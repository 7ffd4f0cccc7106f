import { sep } from 'node:path';

/** Where the shop's image keeps its code, as the container sees it (the Dockerfile's WORKDIR). */
export const IMAGE_WORKDIR = '/app';

/**
 * How this machine's paths read inside a container. A local pod runs as a process on the machine, so what
 * it logs names the machine's paths: its volumes under the substrate's kubelet directory, its code under
 * the checkout (stack traces). In a container the app sees its volume at the mount path and its code in
 * the image's work directory, which is what the snapshot shows.
 */
export class ContainerPaths {
  private readonly mounts = new Map<string, string>();
  private readonly volumeDir: RegExp;

  constructor(
    private readonly repoRoot: string,
    private readonly runDir: string,
  ) {
    const pods = `${runDir}${sep}pods${sep}`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    // <runDir>/pods/<pod uid>/volumes/<plugin>/<volume mount name>
    this.volumeDir = new RegExp(`${pods}[^/\\s"']+/volumes/[^/\\s"']+/[^/\\s"']+`, 'g');
  }

  /** A container's volume, written to `hostDir`, is mounted at `mountPath`. */
  mount(hostDir: string, mountPath: string): void {
    this.mounts.set(hostDir, mountPath.replace(/\/+$/, ''));
  }

  present(text: string): string {
    let out = text;
    if (out.includes(this.runDir)) out = out.replace(this.volumeDir, (dir) => this.mounts.get(dir) ?? dir);
    if (out.includes(this.repoRoot)) out = out.split(this.repoRoot).join(IMAGE_WORKDIR);
    return out;
  }
}
