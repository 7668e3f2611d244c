import { pino, type Logger } from 'pino';

export type { Logger };

/** Root logger. Request and job loggers are children carrying reqId / jobId. */
export function createLogger(level: string, name = 'job-service'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'connectionParams.authorization', 'token'],
      censor: '[redacted]',
    },
  });
}
