export * from './exit-codes.js';
export * from './firedrill-error.js';
export * from './scenario-error.js';
export * from './timeout-error.js';
export * from './missing-tool-error.js';
export * from './invalid-input-error.js';
export * from './interrupted-error.js';
