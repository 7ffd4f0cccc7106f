import { CAPABILITY_NAMES, type Capability } from '../../platform/capabilities.js';

/** A real cluster has all the machinery a fault type can ask for. */
export const KUBERNETES_CAPABILITIES: readonly Capability[] = CAPABILITY_NAMES;
