export * from './kinds.js';
export * from './entity-id.js';
export * from './alias-set.js';
