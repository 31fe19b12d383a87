// With server.tls the agent answers only HTTPS. server.tls.httpPort optionally opens a plain-HTTP port
// that does one thing: send a browser that typed http://hall-pc/… to the same page over https. It reads
// no body, answers no API and opens no socket.io, so nothing of the hall is served in clear. A request
// that carries a token (bearer, terminal) or asks for the API is refused rather than redirected: the
// caller is a tool or a screen set up with an http:// URL, and following a redirect would only hide
// that its token already crossed the LAN in clear (it should be changed: docs/security.md).
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { HostCheck } from '../security/host-check.js';
import { hostOf } from '../security/host-check.js';

function send(res: import('node:http').ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    connection: 'close',
    ...headers,
  });
  res.end(text);
}

const error = (code: string, message: string, messageEn: string) => ({ error: { code, message, messageEn } });

export function startHttpRedirect(opts: {
  host: string;
  port: number;
  /** the https port the browser is sent to */
  httpsPort: number;
  hosts: HostCheck;
  logger: Logger;
}): Promise<Server> {
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000, keepAliveTimeout: 1_000 }, (req, res) => {
    const host = hostOf(req.headers.host);
    if (!host || !opts.hosts.allows(req.headers.host)) {
      send(res, 421, error('unknown_host', '访问地址不是本大厅配置的地址', 'This Host is not this hall'));
      return;
    }
    const url = req.url ?? '/';
    const carriesToken = req.headers.authorization !== undefined || req.headers['x-hallq-terminal'] !== undefined;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || carriesToken || !url.startsWith('/') || /^\/(api|socket\.io)\//.test(url)) {
      if (carriesToken)
        opts.logger.warn({ from: req.socket.remoteAddress, path: url.slice(0, 100) }, 'a token was sent over plain http; refused');
      send(
        res,
        403,
        error(
          'https_required',
          '本大厅仅通过 HTTPS 提供服务，请使用 https:// 地址',
          `This hall answers only over HTTPS: use https://${host.includes(':') ? `[${host}]` : host}:${opts.httpsPort}${url.startsWith('/') ? url.split('?')[0] : '/'}`,
        ),
      );
      return;
    }
    const target = `https://${host.includes(':') ? `[${host}]` : host}${opts.httpsPort === 443 ? '' : `:${opts.httpsPort}`}${url}`;
    send(res, 308, error('https_required', '请使用 HTTPS 访问', `Moved to ${target}`), { location: target });
  });
  // socket.io over plain http would carry session and terminal tokens in its handshake: never upgraded
  server.on('upgrade', (_req, socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
