// 网上预约 on the hub: a citizen's phone picks a hall, a service and a slot with places left, gets a
// code and its QR (shown at the hall's kiosk, 预约取号), and cancels with the code and the last 4
// characters of the 身份证 number. zh-CN first (English with ?lang=en), large type, no script, one
// column that fits 360 px. The number is hashed at once (hub/bookings.ts), shown masked, never logged.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import Type, { type Static } from 'typebox';
import { qrSvg } from '../../common/qr.js';
import { bookableHalls, openSlots } from '../booking-queries.js';
import { type BookRequest, book, cancel, HubBookingError, type HubBooking, hubIdSecret } from '../bookings.js';
import { clientKey, DEFAULT_BOOKING_RATE, type RateLimitSettings, TokenBuckets } from '../rate-limit.js';
import { esc } from './html.js';

type Lang = 'zh' | 'en';
const t = (lang: Lang, zh: string, en: string) => (lang === 'en' ? en : zh);
const langOf = (v: unknown): Lang => (v === 'en' ? 'en' : 'zh');
const q = (lang: Lang, extra: Record<string, string> = {}) => {
  const p = new URLSearchParams({ ...extra, ...(lang === 'en' ? { lang: 'en' } : {}) }).toString();
  return p ? `?${p}` : '';
};

const CSS = `
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:0;background:#fff;color:#111;font-size:20px;line-height:1.5}
header{background:#0b3d91;color:#fff;padding:10px 16px;display:flex;flex-wrap:wrap;gap:4px 16px;align-items:center}
header h1{font-size:24px;margin:0;flex:1 1 auto}
header a{color:#fff;font-weight:bold}
main{padding:12px 16px;max-width:640px;margin:0 auto}
a{color:#0b3d91}
h2{font-size:22px;margin:16px 0 8px}
ul.pick{list-style:none;padding:0;margin:0;display:grid;gap:10px}
ul.pick a,ul.pick span.full{display:block;border:2px solid #0b3d91;border-radius:8px;padding:10px 14px;text-decoration:none;font-weight:bold}
ul.pick span.full{border-color:#888;color:#555;font-weight:normal}
.muted{color:#444;font-size:18px}
.days{display:flex;flex-wrap:wrap;gap:8px}
.days a{border:2px solid #0b3d91;border-radius:6px;padding:4px 10px;text-decoration:none}
.days a.on{background:#0b3d91;color:#fff}
fieldset{border:0;padding:0;margin:0 0 12px}
.slots{display:grid;grid-template-columns:repeat(auto-fill,minmax(9em,1fr));gap:8px}
.slots label{border:2px solid #0b3d91;border-radius:6px;padding:6px 8px;display:flex;gap:6px;align-items:center}
.slots label.full{border-color:#999;color:#666}
form.book label.f{display:block;margin:10px 0 4px;font-weight:bold}
input[type=text]{font-size:22px;padding:8px;width:100%;box-sizing:border-box;border:2px solid #333;border-radius:6px}
input[type=radio]{width:22px;height:22px}
button{font-size:22px;padding:12px 20px;background:#0b3d91;color:#fff;border:0;border-radius:8px;width:100%;margin-top:14px}
.code{font-size:34px;font-weight:bold;letter-spacing:3px;font-family:monospace;word-break:break-all}
.qr{width:240px;max-width:100%;margin:8px 0}
.qr svg{width:100%;height:auto}
.error{color:#b00020;font-weight:bold}
.ok{color:#0a6b2d;font-weight:bold}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px}dt{color:#444}dd{margin:0;font-weight:bold}
`;

function shell(lang: Lang, title: string, body: string, here: string): string {
  const other =
    lang === 'en' ? here.replace(/([?&])lang=en&?/, '$1').replace(/[?&]$/, '') : `${here}${here.includes('?') ? '&' : '?'}lang=en`;
  return `<!doctype html><html lang="${lang === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head><body><header><h1>${esc(title)}</h1>
<a href="/book${q(lang)}">${t(lang, '预约首页', 'Booking')}</a><a href="/book/cancel${q(lang)}">${t(lang, '取消预约', 'Cancel')}</a>
<a href="${esc(other)}" lang="${lang === 'en' ? 'zh-CN' : 'en'}">${lang === 'en' ? '中文' : 'English'}</a></header><main>${body}</main></body></html>`;
}

function dayLabel(lang: Lang, day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const wk = lang === 'en' ? ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] : ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
  return lang === 'en'
    ? `${wk[d.getUTCDay()]} ${d.getUTCMonth() + 1}/${d.getUTCDate()}`
    : `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${wk[d.getUTCDay()]}`;
}

function bookedPage(lang: Lang, b: HubBooking, cancelled = false): string {
  return `${
    cancelled
      ? `<p class="ok" role="status">${t(lang, '预约已取消', 'The booking is cancelled')}</p>`
      : `<p class="ok" role="status">${t(lang, '预约成功', 'Booked')}</p>
<p>${t(lang, '预约码（到大厅取号机选「预约取号」，输入或扫描此码签到）', 'Your code (at the hall kiosk choose 预约取号 and type or scan it)')}</p>
<p class="code" id="code">${esc(b.code)}</p>
<div class="qr" role="img" aria-label="${t(lang, '预约码二维码', 'QR code of the booking code')}">${qrSvg(b.code)}</div>`
  }
<dl><dt>${t(lang, '大厅', 'Hall')}</dt><dd>${esc(b.hallName)}</dd><dt>${t(lang, '业务', 'Service')}</dt><dd>${esc(b.serviceName)}</dd>
<dt>${t(lang, '时间', 'Time')}</dt><dd>${esc(dayLabel(lang, b.day))} ${esc(b.time)}</dd><dt>${t(lang, '身份证', 'ID')}</dt><dd>${esc(b.idMasked)}</dd>
${b.nameMasked ? `<dt>${t(lang, '姓名', 'Name')}</dt><dd>${esc(b.nameMasked)}</dd>` : ''}</dl>
${cancelled ? '' : `<p class="muted">${t(lang, '取消：凭预约码和身份证号后 4 位在本网站「取消预约」办理，时段开始前有效。请按时到达，迟到超过宽限时间按普通号排队。', 'To cancel: the code and the last 4 characters of your ID number under “Cancel”, before the slot begins. Come on time: after the grace period you queue as a walk-in.')}</p>`}`;
}

const bookBody = Type.Object(
  {
    hall: Type.String({ minLength: 1, maxLength: 40 }),
    service: Type.String({ minLength: 1, maxLength: 40 }),
    day: Type.String({ maxLength: 10 }),
    time: Type.String({ maxLength: 5 }),
    idNumber: Type.String({ maxLength: 20 }),
    name: Type.Optional(Type.String({ maxLength: 40 })),
    lang: Type.Optional(Type.String({ maxLength: 2 })),
  },
  { additionalProperties: false },
);
/** the form (page or JSON, the same fields) as the booking it asks for */
const bookRequest = (b: Static<typeof bookBody>): BookRequest => ({
  hallId: b.hall,
  service: b.service,
  day: b.day,
  time: b.time,
  idNumber: b.idNumber,
  // an empty name field is no name
  name: b.name || undefined,
});
const cancelBody = Type.Object(
  {
    code: Type.String({ maxLength: 20 }),
    idLast4: Type.String({ maxLength: 4 }),
    lang: Type.Optional(Type.String({ maxLength: 2 })),
  },
  { additionalProperties: false },
);

export interface BookingRouteOptions {
  /** the hub's clock (HubOptions.now): a slot begun is no longer booked or cancelled */
  now?: () => number;
  /** the per-address limit of booking, cancelling and code checks; false: none (a hub only reachable by a gateway that limits) */
  rate?: RateLimitSettings | false;
}

export function bookingRoutes(app: FastifyInstance, pool: pg.Pool, opts: BookingRouteOptions = {}): void {
  const now = opts.now ?? Date.now;
  const buckets = opts.rate === false ? null : new TokenBuckets(opts.rate ?? DEFAULT_BOOKING_RATE, now);
  /**
   * Before any work (after the body's checks: a malformed request costs nothing and does nothing):
   * one token of the client's address, or 429 with Retry-After; a page gets a page, the API JSON.
   * request.ip is the peer's address, or the client's from X-Forwarded-For when the peer is a proxy
   * the hub trusts (HUB_TRUST_PROXY): a client cannot pick its own address.
   */
  const limited = (page: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!buckets) return;
    const r = buckets.take(clientKey(request.ip));
    if (r.ok) return;
    const minutes = Math.ceil(r.retryAfterS / 60);
    const zh = `操作过于频繁：同一网络地址的预约、取消次数有限，以保证号源公平。请 ${minutes} 分钟后再试，或到大厅现场取号。`;
    const en = `Too many booking requests from your network address. Try again in ${minutes} min, or take a ticket at the hall.`;
    reply.status(429).header('retry-after', String(r.retryAfterS));
    if (!page) return reply.send({ error: { code: 'too_many_requests', message: zh, messageEn: en } });
    const lang = langOf((request.body as { lang?: string } | undefined)?.lang);
    return reply
      .type('text/html; charset=utf-8')
      .send(
        shell(
          lang,
          t(lang, '请稍后再试', 'Please wait'),
          `<p class="error" role="alert">${esc(t(lang, zh, en))}</p><p><a href="/book${q(lang)}">${t(lang, '返回预约首页', 'Back to booking')}</a></p>`,
          `/book${q(lang)}`,
        ),
      );
  };
  let secret: Promise<string> | null = null;
  const idSecret = () => {
    secret ??= hubIdSecret(pool).catch((err) => {
      secret = null;
      throw err;
    });
    return secret;
  };
  const apiError = (reply: FastifyReply, e: unknown) => {
    if (!(e instanceof HubBookingError)) throw e;
    return reply.status(e.status).send({ error: { code: e.code, message: e.message, messageEn: e.messageEn } });
  };
  const html = (reply: FastifyReply, status: number, text: string) => reply.status(status).type('text/html; charset=utf-8').send(text);
  // the 身份证 number is in these bodies: the hub logs no request bodies (fastify never does), and a
  // failed booking's page echoes only the masked form

  app.get('/api/v1/book/halls', async () => ({ halls: await bookableHalls(pool, now()) }));
  app.get(
    '/api/v1/book/slots',
    {
      schema: {
        querystring: Type.Object(
          { hall: Type.String({ minLength: 1, maxLength: 40 }), service: Type.String({ minLength: 1, maxLength: 40 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const qs = request.query as { hall: string; service: string };
      return { slots: await openSlots(pool, qs.hall, qs.service, now()) };
    },
  );
  app.post('/api/v1/book', { schema: { body: bookBody }, preHandler: limited(false) }, async (request, reply) => {
    try {
      const out = await book(pool, await idSecret(), bookRequest(request.body as Static<typeof bookBody>), now());
      return reply.status(201).send(out);
    } catch (e) {
      return apiError(reply, e);
    }
  });
  app.post('/api/v1/book/cancel', { schema: { body: cancelBody }, preHandler: limited(false) }, async (request, reply) => {
    const b = request.body as Static<typeof cancelBody>;
    try {
      return await cancel(pool, await idSecret(), b.code, b.idLast4, now());
    } catch (e) {
      return apiError(reply, e);
    }
  });

  const langQuery = Type.Object(
    {
      lang: Type.Optional(Type.String({ maxLength: 2 })),
      service: Type.Optional(Type.String({ maxLength: 40 })),
      day: Type.Optional(Type.String({ maxLength: 10 })),
      city: Type.Optional(Type.String({ maxLength: 40 })),
    },
    { additionalProperties: false },
  );

  app.get('/book', { schema: { querystring: langQuery } }, async (request, reply) => {
    const qs = request.query as { lang?: string; city?: string };
    const lang = langOf(qs.lang);
    const halls = (await bookableHalls(pool, now())).filter((h) => !qs.city || h.city === qs.city);
    const cities = [...new Set(halls.map((h) => h.city))];
    const body = halls.length
      ? `<p>${t(lang, '第一步：选择办理大厅。网上预约今天起 14 天内的时段，到厅凭预约码签到，优先叫号。', 'Step 1: choose a hall. Slots of the next 14 days; at the hall, check in with your code and be called first.')}</p>
${cities
  .map(
    (c) =>
      `<h2>${esc(c)}</h2><ul class="pick">${halls
        .filter((h) => h.city === c)
        .map(
          (h) =>
            `<li><a href="/book/h/${encodeURIComponent(h.id)}${q(lang)}">${esc(h.name)}<br><span class="muted">${h.services
              .map((s) => `${esc(s.name)} ${t(lang, '余', '')}${s.free}${t(lang, '', ' free')}`)
              .join(' · ')}</span></a></li>`,
        )
        .join('')}</ul>`,
  )
  .join('')}`
      : `<p>${t(lang, '暂无开放网上预约的大厅。', 'No hall takes online bookings at the moment.')}</p>`;
    return html(reply, 200, shell(lang, t(lang, '户政业务网上预约', 'Book a visit'), body, request.url));
  });

  app.get(
    '/book/h/:hall',
    { schema: { querystring: langQuery, params: Type.Object({ hall: Type.String({ maxLength: 40 }) }) } },
    async (request, reply) => {
      const { hall } = request.params as { hall: string };
      const qs = request.query as { lang?: string; service?: string; day?: string };
      const lang = langOf(qs.lang);
      const h = (await bookableHalls(pool, now())).find((x) => x.id === hall);
      if (!h)
        return html(
          reply,
          404,
          shell(
            lang,
            t(lang, '没有该大厅', 'No such hall'),
            `<p class="error">${t(lang, '该大厅暂不开放网上预约。', 'That hall takes no online bookings.')}</p>`,
            request.url,
          ),
        );
      const svc = h.services.find((s) => s.id === qs.service);
      if (!svc) {
        const body = `<h2>${esc(h.name)}</h2><p>${t(lang, '第二步：选择业务', 'Step 2: choose a service')}</p><ul class="pick">${h.services
          .map((s) =>
            s.free > 0
              ? `<li><a href="/book/h/${encodeURIComponent(h.id)}${q(lang, { service: s.id })}">${esc(s.name)} <span class="muted">${t(lang, '余', '')}${s.free}${t(lang, '', ' free')}</span></a></li>`
              : `<li><span class="full">${esc(s.name)} · ${t(lang, '已约满', 'fully booked')}</span></li>`,
          )
          .join('')}</ul>`;
        return html(reply, 200, shell(lang, t(lang, '选择业务', 'Choose a service'), body, request.url));
      }
      const slots = await openSlots(pool, h.id, svc.id, now());
      const days = [...new Set(slots.filter((s) => s.free > 0).map((s) => s.day))];
      const day = qs.day && days.includes(qs.day) ? qs.day : days[0];
      const ofDay = slots.filter((s) => s.day === day);
      const body = `<h2>${esc(h.name)} · ${esc(svc.name)}</h2>
${
  days.length === 0
    ? `<p>${t(lang, '14 天内已约满。', 'Fully booked for the next 14 days.')}</p>`
    : `<p>${t(lang, '第三步：选择日期和时段', 'Step 3: choose a day and a time')}</p>
<nav class="days" aria-label="${t(lang, '日期', 'Day')}">${days
        .map(
          (d) =>
            `<a href="/book/h/${encodeURIComponent(h.id)}${q(lang, { service: svc.id, day: d })}"${d === day ? ' class="on" aria-current="true"' : ''}>${esc(dayLabel(lang, d))}</a>`,
        )
        .join('')}</nav>
<form method="post" action="/book/h/${encodeURIComponent(h.id)}" class="book">
<input type="hidden" name="hall" value="${esc(h.id)}"><input type="hidden" name="service" value="${esc(svc.id)}"><input type="hidden" name="day" value="${esc(day)}">${lang === 'en' ? '<input type="hidden" name="lang" value="en">' : ''}
<fieldset><legend>${esc(dayLabel(lang, day!))}</legend><div class="slots">${ofDay
        .map((s) =>
          s.free > 0
            ? `<label><input type="radio" name="time" value="${s.time}" required>${s.time} <span class="muted">${t(lang, '余', '')}${s.free}</span></label>`
            : `<label class="full"><input type="radio" name="time" value="${s.time}" disabled>${s.time} ${t(lang, '满', 'full')}</label>`,
        )
        .join('')}</div></fieldset>
<label class="f" for="id">${t(lang, '身份证号码', 'ID card number')}</label><input type="text" id="id" name="idNumber" required maxlength="18" autocomplete="off" inputmode="text">
<label class="f" for="nm">${t(lang, '姓名（可不填，只保存首字）', 'Name (optional, only the first character is kept)')}</label><input type="text" id="nm" name="name" maxlength="40" autocomplete="off">
<button type="submit">${t(lang, '提交预约', 'Book')}</button></form>`
}`;
      return html(reply, 200, shell(lang, t(lang, '选择时段', 'Choose a time'), body, request.url));
    },
  );

  app.post(
    '/book/h/:hall',
    { schema: { body: bookBody, params: Type.Object({ hall: Type.String({ maxLength: 40 }) }) }, preHandler: limited(true) },
    async (request, reply) => {
      const b = request.body as Static<typeof bookBody>;
      const lang = langOf(b.lang);
      try {
        const out = await book(pool, await idSecret(), bookRequest(b), now());
        return html(reply, 201, shell(lang, t(lang, '预约成功', 'Booked'), bookedPage(lang, out), `/book${q(lang)}`));
      } catch (e) {
        if (!(e instanceof HubBookingError)) throw e;
        const back = `/book/h/${encodeURIComponent(b.hall)}${q(lang, { service: b.service, day: b.day })}`;
        return html(
          reply,
          e.status,
          shell(
            lang,
            t(lang, '未能预约', 'Not booked'),
            `<p class="error" role="alert">${esc(t(lang, e.message, e.messageEn))}</p><p><a href="${esc(back)}">${t(lang, '返回重新选择', 'Back')}</a></p>`,
            back,
          ),
        );
      }
    },
  );

  const cancelForm = (
    lang: Lang,
    msg = '',
  ) => `${msg}<form method="post" action="/book/cancel" class="book">${lang === 'en' ? '<input type="hidden" name="lang" value="en">' : ''}
<label class="f" for="code">${t(lang, '预约码', 'Booking code')}</label><input type="text" id="code" name="code" required maxlength="20" autocomplete="off" autocapitalize="characters">
<label class="f" for="l4">${t(lang, '身份证号码后 4 位', 'Last 4 characters of the ID number')}</label><input type="text" id="l4" name="idLast4" required maxlength="4" autocomplete="off">
<button type="submit">${t(lang, '取消预约', 'Cancel the booking')}</button></form>`;
  app.get('/book/cancel', { schema: { querystring: langQuery } }, async (request, reply) => {
    const lang = langOf((request.query as { lang?: string }).lang);
    return html(reply, 200, shell(lang, t(lang, '取消预约', 'Cancel a booking'), cancelForm(lang), request.url));
  });
  app.post('/book/cancel', { schema: { body: cancelBody }, preHandler: limited(true) }, async (request, reply) => {
    const b = request.body as Static<typeof cancelBody>;
    const lang = langOf(b.lang);
    try {
      const out = await cancel(pool, await idSecret(), b.code, b.idLast4, now());
      return html(reply, 200, shell(lang, t(lang, '取消预约', 'Cancel a booking'), bookedPage(lang, out, true), `/book/cancel${q(lang)}`));
    } catch (e) {
      if (!(e instanceof HubBookingError)) throw e;
      return html(
        reply,
        e.status,
        shell(
          lang,
          t(lang, '取消预约', 'Cancel a booking'),
          cancelForm(lang, `<p class="error" role="alert">${esc(t(lang, e.message, e.messageEn))}</p>`),
          `/book/cancel${q(lang)}`,
        ),
      );
    }
  });
}
