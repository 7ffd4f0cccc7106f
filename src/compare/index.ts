/**
 * Comparing runs: the "same incident" definition the corpus' stability check, `bundle diff` and
 * `reproduce` share, the facts of a bundle they compare, and version drift between environments.
 */
export * from './stability.js';
export * from './service-signals.js';
export * from './bundle-facts.js';
export * from './bundle-diff.js';
export * from './environment-drift.js';
export * from './render-diff.js';
