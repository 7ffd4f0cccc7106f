import { z } from 'zod';
import { directionParam, linkFault, linkParams } from '../support/chaos-fault.js';

/** tc's rate units (Chaos Mesh passes them through): `bit` family in bits, `bps` family in bytes, per second. */
const RATE = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit|tbit|bps|kbps|mbps|gbps|tbps)$/;
const FACTOR: Record<string, number> = {
  bit: 1 / 8,
  kbit: 1e3 / 8,
  mbit: 1e6 / 8,
  gbit: 1e9 / 8,
  tbit: 1e12 / 8,
  bps: 1,
  kbps: 1e3,
  mbps: 1e6,
  gbps: 1e9,
  tbps: 1e12,
};

/** Bytes per second of a tc rate such as `20kbps` or `1mbit`. */
export function rateBytesPerSecond(rate: string): number {
  const m = RATE.exec(rate);
  if (!m) throw new Error(`not a rate: ${rate}`);
  return Number(m[1]) * FACTOR[m[2]];
}

const params = z.strictObject({
  ...linkParams,
  direction: directionParam('from'),
  rate: z
    .string()
    .regex(RATE, 'must be a rate with a tc unit, e.g. 20kbps (bytes/s) or 160kbit (bits/s)')
    // zod runs refinements after a failed regex too: a malformed rate is the regex's problem alone.
    .refine((r) => !RATE.test(r) || rateBytesPerSecond(r) >= 1, {
      message: 'must be at least 1 byte per second',
    })
    .meta({
      description: 'Bandwidth left on the link: bit, kbit, mbit… (bits/s) or bps, kbps, mbps… (bytes/s)',
    }),
  limit: z
    .number()
    .int()
    .min(1)
    .max(4_294_967_295)
    .default(20_971_520)
    .meta({ description: 'Bytes that may queue waiting for the bucket (tc tbf limit)' }),
  buffer: z
    .number()
    .int()
    .min(1)
    .max(4_294_967_295)
    .default(10_000)
    .meta({ description: 'Size of the token bucket, bytes: the largest burst (tc tbf buffer)' }),
});

export const networkBandwidth = linkFault({
  id: 'network-bandwidth',
  description: 'The link between one workload and the target is throttled to a low bandwidth.',
  params,
  action: 'bandwidth',
  settings: (p) => ({
    bandwidth: {
      rate: p.rate,
      bytesPerSecond: rateBytesPerSecond(p.rate),
      limitBytes: p.limit,
      bufferBytes: p.buffer,
    },
  }),
  // Responses crawl back to the caller: its latency rises, timeouts follow at very low rates.
  expectedAlerts: () => ['ShopHighLatencyP95'],
});
