/**
 * A time as the API server writes a `metav1.Time` (creationTimestamp, deletionTimestamp, a condition's
 * times, an Event's first and last timestamp, a container's startedAt): RFC 3339 in whole seconds, since its
 * JSON form drops the fraction. Objects written with milliseconds would order changes inside one second more
 * finely than any cluster can, and tell a reader which substrate made them.
 */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
