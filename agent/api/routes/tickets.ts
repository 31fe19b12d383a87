import Type from 'typebox';
import type { HallContext } from '../../context.js';
import type { AppointmentInput, Ticket } from '../../queue/types.js';
import { printerForKiosk } from '../../devices/printers.js';
import { ApiError } from '../errors.js';
import type { TypedApp } from '../server.js';
import { ticketPageRoutes } from './ticket-page.js';
import { parseAppointmentsCsv } from '../../queue/appointments.js';
import { whoOf } from '../../security/access.js';
import { takeIssueToken } from '../../security/issue-rate.js';
import { publicTicketId } from '../../security/ticket-ids.js';

const channelSchema = Type.Union([Type.Literal('normal'), Type.Literal('senior'), Type.Literal('green')]);

export function ticketView(ticket: Ticket, extra: { waitingAhead?: number; estimateMinutes?: number } = {}) {
  return {
    id: ticket.id,
    number: ticket.number,
    service: ticket.service,
    channel: ticket.channel,
    state: ticket.state,
    counter: ticket.counter ?? null,
    owner: ticket.owner ?? null,
    issuedAt: ticket.issuedAt,
    calledAt: ticket.calledAt ?? null,
    recalls: ticket.recalls,
    idMasked: ticket.idMasked ?? null,
    ...extra,
  };
}

/** What the kiosk needs to know about the printer that prints its ticket right now (the same choice as the device policy). */
export function printState(ctx: HallContext, kiosk?: string): { deviceId?: string; status: 'queued' | 'printerOffline' | 'noPrinter' } {
  const printers = ctx.devices.list().filter((d) => d.kind === 'ticketPrinter');
  const pick = printerForKiosk(
    printers,
    new Map([...ctx.config.devices, ...ctx.config.satellites.flatMap((s) => s.devices)].map((d) => [d.id, d])),
    kiosk,
  ).printer;
  const printer = printers.find((d) => d.id === pick);
  if (!printer) return { status: 'noPrinter' };
  return { deviceId: printer.id, status: printer.status === 'online' || printer.status === 'paperNearEnd' ? 'queued' : 'printerOffline' };
}

/** The import body as the engine expects it, or a 400 naming the first bad record. */
function appointmentList(body: unknown): AppointmentInput[] {
  let list: unknown = body;
  if (typeof body === 'string') {
    try {
      list = parseAppointmentsCsv(body);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ApiError(400, 'invalid_csv', `预约CSV格式不正确：${why}`, `Invalid appointments CSV: ${why}`);
    }
  }
  if (!Array.isArray(list) || list.length > 5000) {
    throw new ApiError(400, 'invalid_request', '预约数据应为不超过5000条的列表或CSV', 'Expected a JSON array (at most 5000) or CSV text');
  }
  const isText = (v: unknown) => typeof v === 'string' && v.length <= 100;
  const isTime = (v: unknown) => isText(v) || (typeof v === 'number' && Number.isFinite(v));
  list.forEach((item, i) => {
    const r = item as Record<string, unknown>;
    const ok =
      typeof item === 'object' &&
      item !== null &&
      isText(r.code) &&
      isText(r.service) &&
      isTime(r.slotStart) &&
      isTime(r.slotEnd) &&
      (r.nameMasked === undefined || isText(r.nameMasked)) &&
      (r.batchSize === undefined || typeof r.batchSize === 'number');
    if (!ok) {
      throw new ApiError(
        400,
        'invalid_appointment',
        `第${i + 1}条预约格式不正确：需要 code、service、slotStart、slotEnd`,
        `Appointment ${i + 1} is malformed: needs code, service, slotStart, slotEnd`,
      );
    }
  });
  return list as AppointmentInput[];
}

/** Who stands at a citizen's desk: a registered kiosk, a guide, counter staff, the manager. */
export const CITIZEN_DESK = ['terminal:kiosk', 'guide', 'staff', 'manager'] as const;

export function ticketRoutes(app: TypedApp, ctx: HallContext): void {
  const { engine } = ctx;
  // The QR page is found by an unguessable id (128 random bits), never by date + number.
  const statusUrl = (id: string) => `${ctx.publicUrl}/t/${publicTicketId(ctx.config.hall.secret, id)}`;
  const issueRate = (request: Parameters<typeof whoOf>[0]) => takeIssueToken(ctx, request);

  app.post(
    '/api/v1/tickets',
    {
      config: { access: CITIZEN_DESK },
      schema: {
        tags: ['tickets'],
        summary: 'Issue a ticket (取号): a registered kiosk, guide, counter staff or the manager',
        body: Type.Object(
          {
            service: Type.String({ minLength: 1, maxLength: 40 }),
            channel: Type.Optional(channelSchema),
            idNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
            idToken: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            /** the kiosk terminal asking (/kiosk?kiosk=…): the printer configured for it prints the ticket */
            kiosk: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      issueRate(request);
      const { service, channel, idToken } = request.body;
      // a registered kiosk prints on its own printer; the body's kiosk is for staff-issued tickets at a kiosk
      const issuer = whoOf(request).terminal;
      const kiosk = issuer?.kind === 'kiosk' ? issuer.id : request.body.kiosk;
      let idNumber = request.body.idNumber;
      if (idToken !== undefined) {
        idNumber = ctx.idCards.take(idToken, issuer?.kind === 'kiosk' ? issuer.id : undefined);
        if (idNumber === undefined)
          throw new ApiError(
            400,
            'id_card_expired',
            '身份证读取已过期，请重新刷卡',
            'The ID card read has expired; please read the card again',
          );
      }
      const session = whoOf(request).session;
      const issuedBy = session?.role === 'guide' || session?.role === 'manager' ? 'guide' : session?.role === 'staff' ? 'counter' : 'kiosk';
      if (channel === 'green' && issuedBy === 'kiosk') {
        throw new ApiError(
          403,
          'green_needs_staff',
          '绿色通道号须由导办员或窗口发放',
          'Green-channel tickets are issued by guide or counter staff',
        );
      }
      const result = engine.issue(
        kiosk === undefined ? { service, channel, idNumber, issuedBy } : { service, channel, idNumber, issuedBy, kiosk },
      );
      reply.status(201);
      return {
        ticket: ticketView(result.ticket, { waitingAhead: result.waitingAhead, estimateMinutes: result.estimateMinutes }),
        statusUrl: statusUrl(result.ticket.id),
        print: printState(ctx, kiosk),
      };
    },
  );

  app.get(
    '/api/v1/tickets/:id',
    {
      config: { access: ['staff', 'guide', 'manager'] },
      schema: {
        tags: ['tickets'],
        summary: 'A ticket, people ahead, history (staff; citizens use the /t/<public id> page)',
        params: Type.Object({ id: Type.String({ maxLength: 80 }) }),
      },
    },
    async (request) => {
      const ticket = engine.getTicket(request.params.id);
      if (!ticket) throw new ApiError(404, 'unknown_ticket', '没有找到这张号票', 'No such ticket');
      const position = engine.position(ticket.id);
      return { ticket: ticketView(ticket, position), history: engine.ticketHistory(ticket.id) };
    },
  );

  ticketPageRoutes(app, ctx);

  app.post(
    '/api/v1/appointments/check-in',
    {
      config: { access: CITIZEN_DESK },
      schema: {
        tags: ['appointments'],
        summary: 'Appointment check-in (预约取号)',
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      // A booked check-in is not held back by the kiosk's ticket bucket: each code checks in once, and a
      // school batch prints its 40 tickets at once. A refused code still costs a token, so guessing codes
      // stays as bounded as issuing tickets.
      let result: ReturnType<typeof engine.checkInAppointment>;
      try {
        result = engine.checkInAppointment(request.body.code.trim());
      } catch (err) {
        issueRate(request);
        throw err;
      }
      reply.status(201);
      return {
        early: result.early,
        late: result.late,
        tickets: result.tickets.map((r) => ({
          ticket: ticketView(r.ticket, { waitingAhead: r.waitingAhead, estimateMinutes: r.estimateMinutes }),
          statusUrl: statusUrl(r.ticket.id),
        })),
        print: printState(ctx),
      };
    },
  );

  app.post(
    '/api/v1/appointments/import',
    {
      config: { access: ['manager', 'staff', 'guide'] },
      schema: { tags: ['appointments'], summary: 'Import the day’s appointments (JSON array or text/csv)' },
    },
    async (request) => {
      return engine.importAppointments(appointmentList(request.body));
    },
  );

  app.post(
    '/api/v1/tickets/rejoin',
    {
      config: { access: ['staff', 'guide', 'manager'] },
      schema: {
        tags: ['tickets'],
        summary: '过号 citizen returns',
        body: Type.Object({ number: Type.String({ minLength: 2, maxLength: 10 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      return { ticket: ticketView(engine.rejoin(request.body.number.trim().toUpperCase())) };
    },
  );

  app.post(
    '/api/v1/tickets/:id/cancel',
    {
      config: { access: ['staff', 'guide', 'manager'] },
      schema: { tags: ['tickets'], summary: 'Cancel a ticket', params: Type.Object({ id: Type.String({ maxLength: 80 }) }) },
    },
    async (request) => {
      return { ticket: ticketView(engine.cancel(request.params.id)) };
    },
  );

  app.post(
    '/api/v1/reports/unresolved',
    {
      config: { access: CITIZEN_DESK },
      schema: {
        tags: ['reports'],
        summary: '办不成事反映',
        body: Type.Object(
          {
            service: Type.Optional(Type.String({ maxLength: 40 })),
            description: Type.String({ minLength: 2, maxLength: 2000 }),
            contact: Type.Optional(Type.String({ maxLength: 60 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      issueRate(request);
      const report = engine.reportUnresolved(request.body);
      reply.status(201);
      return { report };
    },
  );
}
