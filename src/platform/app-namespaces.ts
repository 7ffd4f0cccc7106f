/** The shop's namespace (captured) and the testbed's own (never captured). */
export const APP_NAMESPACE = 'shop';
export const SYSTEM_NAMESPACE = 'firedrill-system';
export const LOADGEN_DEPLOYMENT = 'loadgen';
export const FLAGS_SERVICE = 'flags';
export const REDIS_SERVICE = 'redis';
export const REDIS_SECRET = { name: 'redis-auth', key: 'password' };
export const POSTGRES_SERVICE = 'postgres';
export const POSTGRES_PORT = 5432;
export const POSTGRES_SECRET = { name: 'postgres-auth', key: 'password' };
/** The app's database and its owner role (manifests/shop/postgres.yaml: POSTGRES_DB, POSTGRES_USER). */
export const POSTGRES_DATABASE = 'shop';
export const POSTGRES_APP_ROLE = 'shop';
/** The superuser images/postgres/entrypoint.sh makes (Docker Hub's image makes POSTGRES_USER the superuser instead). */
export const POSTGRES_SUPERUSER = 'postgres';
