import { killStale } from '../../process/kill-stale.js';
import { ALERTMANAGER, NODE, POSTGRES, PROMETHEUS, PROMTOOL, REDIS_SERVER } from '../../tools/tool-specs.js';
import type { SubstrateRegistration } from '../substrate-registration.js';

export const localRegistration: SubstrateRegistration = {
  name: 'local',
  summary:
    'processes on this machine: a one-node Kubernetes of processes, real Prometheus, Alertmanager, Redis, PostgreSQL',
  provides: [
    'objects',
    'settings',
    'redis-admin',
    'postgres-admin',
    'rollouts',
    // Every tag of the shop image runs the same command here (image-commands.ts).
    'release-builds',
    'pod-lifecycle',
    'jobs',
    'network-chaos',
    'dns-chaos',
    'stress-chaos',
  ],
  tools: [PROMETHEUS, PROMTOOL, ALERTMANAGER, REDIS_SERVER, POSTGRES, NODE],
  async create(opts) {
    const { LocalSubstrate } = await import('./local-substrate.js');
    // FIREDRILL_WORK_DIR keeps configs, TSDB and pod directories in a known place (debugging, tests).
    return new LocalSubstrate({
      logger: opts.logger,
      pidDir: opts.pidDir,
      workDir: process.env.FIREDRILL_WORK_DIR,
    });
  },
  async cleanup(opts) {
    if (!opts.pidDir) return [];
    // Only what a dead firedrill left behind: a live `run` cleans up after itself and must not lose its pods.
    const outcomes = await killStale(opts.pidDir);
    return outcomes.map((x) => `${x.action}\t${x.pid ?? '-'}\t${x.name ?? ''}\t${x.detail}`);
  },
};
