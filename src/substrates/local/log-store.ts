/** One container output line, as captured into logs.ndjson. */
export interface ContainerLogLine {
  ts: string;
  /** `namespace/Pod/name` */
  entity: string;
  container: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

/**
 * Every line every container printed during the run, kept after the container died (as
 * `kubectl logs --previous` would show it). Bounded: the oldest lines go first past `cap`.
 */
export class LogStore {
  private lines: ContainerLogLine[] = [];
  dropped = 0;

  constructor(private readonly cap = 2_000_000) {}

  add(line: ContainerLogLine): void {
    this.lines.push(line);
    if (this.lines.length > this.cap) {
      const cut = Math.floor(this.cap / 10);
      this.lines = this.lines.slice(cut);
      this.dropped += cut;
    }
  }

  /** Lines with start <= ts <= end (ISO strings compare in time order). */
  between(start: string, end: string): ContainerLogLine[] {
    return this.lines.filter((l) => l.ts >= start && l.ts <= end);
  }

  get size(): number {
    return this.lines.length;
  }

  /** Forgets every line (between runs: each run captures only its own window). */
  clear(): void {
    this.lines = [];
    this.dropped = 0;
  }
}
