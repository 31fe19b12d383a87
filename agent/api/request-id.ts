// A request id on every log line a request writes (fastify's request.log), so one failing call can be
// followed through the journal. Random, not a counter: ids stay unique across restarts. A caller's
// X-Request-Id (a proxy's) is kept only when short and plain, so a header cannot forge log lines.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const PLAIN = /^[A-Za-z0-9._-]{1,64}$/;

export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && PLAIN.test(given)) return given;
  return randomBytes(8).toString('hex');
}
