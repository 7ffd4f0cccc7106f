export * from './duration.js';
export * from './scenario.js';
export * from './scenario-schema.js';
export * from './load-scenario.js';
export * from './find-scenario-files.js';
export * from './validate-paths.js';
export * from './scenario-hash.js';
export * from './json-schema.js';
