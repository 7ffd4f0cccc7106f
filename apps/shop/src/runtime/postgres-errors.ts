/**
 * PostgreSQL condition names (the errcodes appendix of its manual) for the SQLSTATEs an operator meets in
 * incidents. The server log prints the condition's message and, with the usual log_line_prefix, the
 * SQLSTATE; the shop's logs and spans carry the name, which reads better in a query than "53300".
 */
const CONDITIONS: Readonly<Record<string, string>> = {
  '08000': 'connection_exception',
  '08003': 'connection_does_not_exist',
  '08006': 'connection_failure',
  '23505': 'unique_violation',
  '25006': 'read_only_sql_transaction',
  '28000': 'invalid_authorization_specification',
  '28P01': 'invalid_password',
  '3D000': 'invalid_catalog_name',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '42501': 'insufficient_privilege',
  '42703': 'undefined_column',
  '42P01': 'undefined_table',
  '53100': 'disk_full',
  '53200': 'out_of_memory',
  '53300': 'too_many_connections',
  '53400': 'configuration_limit_exceeded',
  '55P03': 'lock_not_available',
  '57014': 'query_canceled',
  '57P01': 'admin_shutdown',
  '57P03': 'cannot_connect_now',
};

/** The code a failure is counted and logged under: a condition name, SQLSTATE_<code>, a socket code or EPG. */
export function postgresCode(err: Error & { code?: unknown }): string {
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (code && /^[0-9A-Z]{5}$/.test(code)) return CONDITIONS[code] ?? `SQLSTATE_${code}`;
  if (code && /^E[A-Z]+$/.test(code)) return code;
  if (/Connection terminated/i.test(err.message)) return 'ECONNRESET';
  if (/timeout/i.test(err.message)) return 'ETIMEDOUT';
  return 'EPG';
}
