import { z } from 'zod';
import type { FaultType } from '../fault-type.js';
import { correlationParam, directionParam, linkFault, linkParams, percentParam } from './chaos-fault.js';
import { failedCallAlerts } from './unavailability-alerts.js';

/**
 * The share of lost packets from which the caller's calls also fail, not only slow down: a call outlasts
 * its 2 s timeout when four copies in a row are lost (retransmission timeouts of 200 + 400 + 800 + 1600 ms),
 * which at 60 % is 13 % of calls, well past the failed-call alerts' 5 %; at 35 % it is 1.5 %.
 */
export const FAILING_CALLS_FROM_PERCENT = 60;

/**
 * Loss and corruption are one netem fault with two actions: a share of the link's packets (by default
 * the caller's requests), optionally correlated with the previous packet's fate. A corrupted segment fails
 * its checksum and is dropped, so to the caller both are loss and raise the same alerts: TCP resends what
 * was lost, so the caller's calls slow down (its p95 alert), and fail only when losses pile up.
 */
export function packetShareFault(def: {
  id: string;
  description: string;
  action: 'loss' | 'corrupt';
  /** What happens to the share, for the percent's description: `lost`, `corrupted`. */
  what: string;
}) {
  const params = z.strictObject({
    ...linkParams,
    direction: directionParam('to'),
    percent: percentParam(def.what),
    correlation: correlationParam,
  });
  const fault: FaultType<z.infer<typeof params>> = linkFault({
    id: def.id,
    description: def.description,
    params,
    action: def.action,
    settings: (p) => {
      const share = { percent: p.percent, correlation: p.correlation };
      return def.action === 'loss' ? { loss: share } : { corrupt: share };
    },
    expectedAlerts: (target, p) => [
      'ShopHighLatencyP95',
      ...(p.percent >= FAILING_CALLS_FROM_PERCENT ? failedCallAlerts(target.name) : []),
    ],
  });
  return fault;
}
