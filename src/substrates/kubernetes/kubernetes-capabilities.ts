import { CAPABILITY_NAMES, type Capability } from '../../platform/capabilities.js';

/**
 * Not yet on a cluster: `release-builds` needs the shop image's build tags loaded into the nodes beside
 * its release tag (scripts/make-local-images.sh loads one tag), or background releases would pull
 * nothing and become an incident of their own.
 */
const NOT_ON_A_CLUSTER: readonly Capability[] = ['release-builds'];

/** A real cluster has all the machinery a fault type can ask for, but the build tags above. */
export const KUBERNETES_CAPABILITIES: readonly Capability[] = CAPABILITY_NAMES.filter(
  (c) => !NOT_ON_A_CLUSTER.includes(c),
);
