// One POST to the hub, over node:http or node:https. Not Node's fetch: its first use loads undici,
// 40–55 ms of synchronous module loading on an idle PC, which held the event loop (a kiosk press, a
// keypad poll) when the upward sync started after each start (`bench/kiosk-print.ts` showed it as
// its p99); node:http is loaded already by the server. With `ca`, the hub's certificate is verified
// against that CA alone (upstream.ca: usually the city's own CA, not one in the system store).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HubAnswer {
  status: number;
  statusText: string;
  ok: boolean;
  text: string;
  header(name: string): string | undefined;
}

/**
 * Rejects as fetch does, with the reason in `cause` (`cause.code`: ECONNREFUSED, ETIMEDOUT, a TLS
 * verification code…), also when the answer is cut off.
 */
export function postToHub(
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number; ca?: string | undefined },
): Promise<HubAnswer> {
  return new Promise((resolve, reject) => {
    const fail = (what: string, err: unknown) => reject(Object.assign(new Error(what), { cause: err }));
    const headers = { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
    const onAnswer = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => fail('answer cut off', err));
      res.on('aborted', () => fail('answer cut off', { code: 'ECONNRESET' }));
      res.on('end', () => {
        const status = res.statusCode ?? 502;
        resolve({
          status,
          statusText: res.statusMessage ?? '',
          ok: status >= 200 && status < 300,
          text: Buffer.concat(chunks).toString('utf8'),
          header: (name) => {
            const v = res.headers[name.toLowerCase()];
            return Array.isArray(v) ? v.join(', ') : v;
          },
        });
      });
    };
    const req = url.startsWith('https:')
      ? httpsRequest(
          url,
          // only the named CA vouches for the hub when there is one; else the system's roots, as fetch did
          { method: 'POST', headers, timeout: init.timeoutMs, ...(init.ca ? { ca: init.ca, rejectUnauthorized: true } : {}) },
          onAnswer,
        )
      : httpRequest(url, { method: 'POST', headers, timeout: init.timeoutMs }, onAnswer);
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => fail('fetch failed', err));
    req.end(init.body);
  });
}
