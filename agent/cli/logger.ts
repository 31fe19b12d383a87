// One JSON line per log record on stdout: under systemd that is the journal (journalctl -u hallq -o cat).
// Personal data never reaches it: credentials and ID fields are redacted wherever they appear, and
// requests are not logged one by one (the API logs errors with the request id only).
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.token',
  '*.pin',
  '*.idNumber',
  'idNumber',
  'pin',
  'token',
];

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    // journald stamps each line itself; the ISO time keeps the lines readable when copied out of it
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
