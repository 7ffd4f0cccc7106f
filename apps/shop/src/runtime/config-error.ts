/**
 * A configuration value the service cannot start with. main() logs the message as one fatal line and exits 1,
 * the way a real service dies on a broken ConfigMap (CrashLoopBackOff with a readable last log line).
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
