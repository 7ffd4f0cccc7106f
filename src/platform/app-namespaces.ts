/** The shop's namespace (captured) and the testbed's own (never captured). */
export const APP_NAMESPACE = 'shop';
export const SYSTEM_NAMESPACE = 'firedrill-system';
export const LOADGEN_DEPLOYMENT = 'loadgen';
export const FLAGS_SERVICE = 'flags';
export const REDIS_SERVICE = 'redis';
export const REDIS_SECRET = { name: 'redis-auth', key: 'password' };
