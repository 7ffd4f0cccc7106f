export * from './kinds.js';
export * from './entity-id.js';
export * from './alias-set.js';
export * from './labels.js';
export * from './label-entities.js';
export * from './alert-entity.js';
export * from './pod-workload.js';
export * from './root-cause-aliases.js';
