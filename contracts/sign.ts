// Request signing shared by the hall's sender and the hub: HMAC-SHA256 with the hall's upstream
// secret over hall id, timestamp and the exact body bytes, so neither the body nor the claimed hall
// nor the time can be changed in transit. The hub also refuses a batch id it has seen (replay).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const HEADER_HALL = 'x-hallq-hall';
export const HEADER_TIME = 'x-hallq-timestamp';
export const HEADER_SIGNATURE = 'x-hallq-signature';
/** a signed request older or newer than this is refused (clock skew + transit) */
export const REPLAY_WINDOW_MS = 5 * 60_000;

export function sign(secret: string, hallId: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${hallId}\n${timestamp}\n`).update(body).digest('hex');
}

export function verify(secret: string, hallId: string, timestamp: number, body: string | Buffer, signature: string): boolean {
  const want = Buffer.from(sign(secret, hallId, timestamp, body), 'hex');
  const got = Buffer.from(/^[0-9a-f]{64}$/.test(signature) ? signature : '', 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

export function signedHeaders(secret: string, hallId: string, body: string, now = Date.now()): Record<string, string> {
  return {
    'content-type': 'application/json',
    [HEADER_HALL]: hallId,
    [HEADER_TIME]: String(now),
    [HEADER_SIGNATURE]: sign(secret, hallId, now, body),
  };
}
