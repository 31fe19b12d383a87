import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { UI_BUILD } from '../cli/paths.js';
import type { HallContext } from '../context.js';
import { installAccessGuard } from '../security/access.js';
import { HostCheck } from '../security/host-check.js';
import { errorBody, installErrorHandler } from './errors.js';
import { type LazyValidators, lazyValidators, type RouteSchema } from './lazy-validators.js';
import { requestId } from './request-id.js';
import { securityRoutes } from './routes/security.js';
import { campaignRoutes } from './routes/campaign.js';
import { forecastRoutes } from './routes/forecast.js';
import { bookingRoutes } from './routes/bookings.js';
import { caseRoutes } from './routes/cases.js';
import { counterRoutes } from './routes/counters.js';
import { hallRoutes } from './routes/hall.js';
import { queueRoutes } from './routes/queue.js';
import { reportRoutes } from './routes/reports.js';
import { ticketRoutes } from './routes/tickets.js';

export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Screens by clean URL → built page; order is the order printed at start-up. */
export const SCREENS = [
  { path: '/kiosk', file: 'kiosk.html', zh: '取号机', en: 'Kiosk' },
  { path: '/counter', file: 'counter.html', zh: '窗口工作台', en: 'Counter console' },
  { path: '/pad', file: 'pad.html', zh: '评价器', en: 'Rating pad' },
  { path: '/display', file: 'display.html', zh: '综合屏', en: 'Hall display' },
  { path: '/board', file: 'board.html', zh: '管理看板', en: 'Manager board' },
  { path: '/sim', file: 'sim.html', zh: '模拟设备', en: 'Simulated devices' },
] as const;

// from the package root: the same place whether this file runs from agent/ or from dist/app/agent/
export const UI_DIR = UI_BUILD;

/** the kiosk's press and the counter's actions: validators compiled at start, not on first use */
export const hotPath = (r: RouteSchema): boolean =>
  r.method === 'POST' && (r.url === '/api/v1/tickets' || (r.url ?? '').startsWith('/api/v1/counters/:counter/'));

export async function buildServer(ctx: HallContext, opts: { uiDir?: string; validators?: LazyValidators } = {}): Promise<TypedApp> {
  const tls = ctx.config.server.tls;
  // HTTPS on the hall LAN (server.tls): the same app and the same socket.io, on an https server. The
  // casts keep one TypedApp type: fastify's https and http servers answer the same API.
  const app = Fastify({
    ...(tls ? { https: { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' as const } } : {}),
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Slow or idle clients do not hold sockets forever (slowloris on the hall LAN).
    connectionTimeout: 60_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 10_000,
    maxRequestsPerSocket: 1000,
    // Requests are not logged one by one: a busy hall would drown the device and queue logs.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    requestIdHeader: false,
    genReqId: requestId,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array' } },
    // each route's validators compiled on its first request, not all at start (agent/api/lazy-validators.ts)
    schemaController: {
      compilersFactory: { buildValidator: (opts.validators ?? lazyValidators({ eager: hotPath })).buildValidator as never },
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as TypedApp;

  app.server.maxConnections = 2000;
  app.server.headersTimeout = 15_000;
  let lastStorageAlert = 0;
  installErrorHandler(app, {
    onStorageFault: (code) => {
      if (Date.now() - lastStorageAlert < 60_000) return;
      lastStorageAlert = Date.now();
      ctx.auth.alert({
        kind: 'storage',
        message: `数据库无法写入（${code}）：请检查磁盘空间和数据目录权限`,
        messageEn: `The database cannot be written (${code}): check disk space and the data folder`,
      });
    },
  });
  // before anything else answers: a rebound DNS name is not this hall (agent/security/host-check.ts)
  const hosts = new HostCheck(ctx.config);
  app.addHook('onRequest', async (request, reply) => {
    if (!hosts.allows(request.headers.host))
      return reply
        .status(421)
        .send(
          errorBody(
            'unknown_host',
            '访问地址不是本大厅配置的地址',
            `Host ${String(request.headers.host ?? '(none)').slice(0, 100)} is not this hall; add it to server.hostNames if it is`,
          ),
        );
  });
  installAccessGuard(app, ctx.auth);
  await app.register(fastifyHelmet, {
    // Screens load only their own scripts; styles include Svelte's and the ticket page's inline ones.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // plain http on the LAN: HSTS would lock the screens out. With the hall's own certificate a browser
    // that once reached the agent by name never falls back to http (browsers ignore HSTS for bare IPs).
    strictTransportSecurity: tls ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'hallq agent API', version: '1.0.0', description: '户政服务大厅排队叫号与评价 — see docs/api.md' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  hallRoutes(app, ctx);
  ticketRoutes(app, ctx);
  counterRoutes(app, ctx);
  queueRoutes(app, ctx);
  caseRoutes(app, ctx);
  reportRoutes(app, ctx);
  securityRoutes(app, ctx);
  campaignRoutes(app, ctx);
  forecastRoutes(app, ctx);
  bookingRoutes(app, ctx);

  const uiDir = opts.uiDir ?? UI_DIR;
  if (existsSync(resolve(uiDir, 'index.html'))) {
    // The build writes .br and .gz beside each text file (kiosk-ui/vite.config.ts): sent as they are, no
    // compression per request. Vite's assets/ carry a content hash in their names, so a browser may keep
    // them for a year without asking again (immutable); the HTML pages that name them are revalidated.
    await app.register(fastifyStatic, { root: uiDir, index: ['index.html'], wildcard: true, preCompressed: true });
    await app.register(fastifyStatic, {
      root: resolve(uiDir, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      preCompressed: true,
      maxAge: '365d',
      immutable: true,
    });
    for (const screen of SCREENS) {
      app.get(screen.path, { config: { access: 'public' }, schema: { hide: true } }, (_request, reply) => reply.sendFile(screen.file));
    }
  } else {
    ctx.logger.warn({ uiDir }, 'screens are not built: run `npm run build`');
    const notBuilt = async (_req: unknown, reply: { status(n: number): { send(b: unknown): unknown } }) =>
      reply.status(503).send(errorBody('ui_not_built', '界面尚未构建，请运行 npm run build', 'Screens are not built: run `npm run build`'));
    app.get('/', { config: { access: 'public' }, schema: { hide: true } }, notBuilt);
    for (const screen of SCREENS) app.get(screen.path, { config: { access: 'public' }, schema: { hide: true } }, notBuilt);
  }
  return app;
}
