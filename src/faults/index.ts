export * from './fault-type.js';
export * from '../platform/fault-target.js';
export * from './fault-registry.js';
export * from './catalog.js';
export * from './params-json-schema.js';
