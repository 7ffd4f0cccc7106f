import {
  pino,
  destination,
  multistream,
  stdTimeFunctions,
  type DestinationStream,
  type Level,
  type Logger,
  type StreamEntry,
} from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line: credentials in configs, headers and kubeconfigs. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'requirepass',
  '*.requirepass',
  'clientKeyData',
  '*.clientKeyData',
  'client-key-data',
  '*.client-key-data',
];

export interface LoggerOptions {
  level?: string;
  /** Extra destinations, e.g. the JSON run log beside a bundle. Each receives every record at `level` or above. */
  extra?: DestinationStream[];
}

/**
 * The one logger factory. Records go to stderr as JSON (stdout is reserved for results); components take
 * `logger.child({ component: 'capture' })`. Level from FIREDRILL_LOG_LEVEL, default `warn` so a normal run
 * prints only the progress display on stderr.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.FIREDRILL_LOG_LEVEL ?? 'warn';
  const streams: StreamEntry[] = [{ level: level as Level, stream: destination({ fd: 2, sync: true }) }];
  for (const stream of opts.extra ?? []) streams.push({ level: 'debug', stream });
  return pino(
    {
      level: opts.extra && opts.extra.length > 0 ? 'debug' : level,
      base: { app: 'firedrill' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: stdTimeFunctions.isoTime,
    },
    multistream(streams),
  );
}

let root: Logger | undefined;

/** Process-wide root logger, created on first use. */
export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}

export function setRootLogger(logger: Logger): void {
  root = logger;
}

/** A silent logger for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
