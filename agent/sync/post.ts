// One signed POST of a batch to the hub, with the answer sorted into what the sender must do next.
import { randomUUID } from 'node:crypto';
import type { BatchAck, SyncRecord } from '../../contracts/records.js';
import { signedHeaders } from '../../contracts/sign.js';
import { type HubAnswer, postToHub } from './http-post.js';

export type PostOutcome =
  | { kind: 'ok'; ack: BatchAck }
  /**
   * network error, timeout, 5xx, 408, 429, an answer we cannot read: try again later, same records.
   * `answered`: the hub itself answered (it is up, only busy or without its database), with the wait it
   * asked for in Retry-After when it gave one.
   */
  | { kind: 'retry'; error: string; answered?: boolean; retryAfterMs?: number }
  /** 401/403: the hub does not accept this hall's signature; no record is at fault */
  | { kind: 'auth'; error: string }
  /** another 4xx for the whole batch: some record in it is refused */
  | { kind: 'reject'; status: number; reason: string };

export interface Upstream {
  /** the hub's base URL, e.g. http://hub.example:8090 */
  url: string;
  hallId: string;
  secret: string;
  timeoutMs: number;
  /** PEM of the CA that signed the hub's certificate (upstream.ca): HTTPS verified against it alone */
  ca?: string;
}

export function ingestUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/api/v1/ingest`;
}

function reasonOf(res: HubAnswer): string {
  const text = res.text;
  try {
    const j = JSON.parse(text);
    return String(j?.error?.message ?? j?.error?.code ?? text).slice(0, 300);
  } catch {
    return text.slice(0, 300) || res.statusText;
  }
}

export async function postBatch(up: Upstream, records: SyncRecord[], now = Date.now()): Promise<PostOutcome> {
  // A fresh batch id and timestamp on every attempt: a retry is a new request, never a replay.
  const body = JSON.stringify({ batchId: randomUUID(), records });
  let res: HubAnswer;
  try {
    const headers = signedHeaders(up.secret, up.hallId, body, now);
    res = await postToHub(ingestUrl(up.url), { headers, body, timeoutMs: up.timeoutMs, ca: up.ca });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { kind: 'retry', error: `network: ${e.cause?.code ?? e.cause?.message ?? e.name ?? e.message}` };
  }
  if (res.ok) {
    let ack: BatchAck;
    try {
      ack = JSON.parse(res.text) as BatchAck;
    } catch (err) {
      // The connection dropped mid-answer: the hub may have stored the batch; the keys make a resend safe.
      return { kind: 'retry', error: `answer cut off: ${(err as Error).message}` };
    }
    if (!ack || !Array.isArray(ack.results)) return { kind: 'retry', error: 'answer without results' };
    return { kind: 'ok', ack };
  }
  const reason = reasonOf(res);
  if (res.status >= 500 || res.status === 408 || res.status === 429) {
    const after = Number(res.header('retry-after') ?? Number.NaN);
    return {
      kind: 'retry',
      error: `HTTP ${res.status}: ${reason}`,
      answered: true,
      ...(Number.isFinite(after) && after >= 0 ? { retryAfterMs: after * 1000 } : {}),
    };
  }
  if (res.status === 401 || res.status === 403) return { kind: 'auth', error: `HTTP ${res.status}: ${reason}` };
  return { kind: 'reject', status: res.status, reason: `HTTP ${res.status}: ${reason}` };
}
