// The upward link over HTTPS, verified against the CA the hall's config names (upstream.ca): the hub's
// certificate is usually signed by the city's own CA, not one in the system store. Node's fetch takes no
// CA, so this is node:https returning a fetch Response (post.ts reads it the same way).
import { request } from 'node:https';

export function httpsPost(
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number; ca: string },
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) },
        ca: init.ca,
        // the system store is not consulted: only the named CA vouches for the hub
        rejectUnauthorized: true,
        timeout: init.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(Object.assign(new Error('answer cut off'), { cause: err })));
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          const status = res.statusCode ?? 502;
          resolve(
            new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), {
              status,
              statusText: res.statusMessage,
              headers,
            }),
          );
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => reject(Object.assign(new Error('fetch failed'), { cause: err })));
    req.end(init.body);
  });
}
