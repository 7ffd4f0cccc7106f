/**
 * Capabilities a substrate lends to fault types. Filled in by the substrates issues; kept as an
 * open interface so a fault declares what it uses and a substrate that lacks it is refused up front.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FaultTarget {}
