import { readdirSync, readFileSync } from 'node:fs';

/** Live processes whose command line mentions `needle` (zombies count as gone). */
export function processesMatching(needle: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const env = readFileSync(`/proc/${name}/environ`, 'utf8');
      if (cmd.includes(needle) || env.includes(needle)) out.push(`${name} ${cmd.trim()}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}
