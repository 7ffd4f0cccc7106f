import { z } from 'zod';
import type { FaultType } from '../fault-type.js';
import { correlationParam, directionParam, linkFault, linkParams, percentParam } from './chaos-fault.js';
import { failedCallAlerts } from './unavailability-alerts.js';

/**
 * Loss and corruption are one netem fault with two actions: a share of the link's packets (by default
 * the caller's requests), optionally correlated with the previous packet's fate. A corrupted segment fails
 * its checksum and is dropped, so to the caller both are loss and raise the same alerts.
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
    expectedAlerts: (target) => failedCallAlerts(target.name),
  });
  return fault;
}
