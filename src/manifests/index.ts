export * from './k8s-object.js';
export * from './paths.js';
export * from './load-manifests.js';
export * from './resolve-env.js';
export * from './apply-order.js';
export * from './rule-files.js';
