import Type from 'typebox';
import type { HallContext } from '../../context.js';
import { ApiError } from '../errors.js';
import type { TypedApp } from '../server.js';
import { CITIZEN_DESK } from './tickets.js';

const day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const time = Type.String({ pattern: '^\\d{2}:\\d{2}$' });

/**
 * 预约 slots in the hall (agent/forecast/bookings.ts, docs/forecast.md). A BookingError is a Refusal
 * (common/refusal.ts): the error handler answers it like an ApiError.
 */
export function bookingRoutes(app: TypedApp, ctx: HallContext): void {
  const bookings = () => {
    if (!ctx.bookings) throw new ApiError(404, 'booking_off', '本大厅未启用预约', 'Bookings are not enabled in this hall');
    return ctx.bookings;
  };

  app.get(
    '/api/v1/bookings/slots',
    {
      config: { access: 'public' },
      schema: {
        tags: ['appointments'],
        summary: 'Bookable slots of a service on a day: capacity, taken, left',
        querystring: Type.Object({ day, service: Type.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false }),
      },
    },
    async (request) => ({ slots: await bookings().slots(request.query.day, request.query.service) }),
  );

  app.post(
    '/api/v1/bookings',
    {
      config: { access: CITIZEN_DESK },
      schema: {
        tags: ['appointments'],
        summary: 'Book a slot (one per person, service and day; the 身份证 number is kept only as a keyed hash)',
        body: Type.Object(
          {
            day,
            service: Type.String({ minLength: 1, maxLength: 40 }),
            time,
            idNumber: Type.String({ minLength: 15, maxLength: 18 }),
            name: Type.Optional(Type.String({ maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const a = await bookings().book(request.body);
      reply.status(201);
      return { code: a.code, service: a.service, day: a.day, slotStart: a.slotStart, slotEnd: a.slotEnd, nameMasked: a.nameMasked ?? null };
    },
  );

  app.post(
    '/api/v1/bookings/:id/cancel',
    {
      config: { access: CITIZEN_DESK },
      schema: {
        tags: ['appointments'],
        summary: 'Cancel a booking before its slot (the citizen gives the same 身份证 number; the manager need not)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) }),
        body: Type.Object({ idNumber: Type.Optional(Type.String({ minLength: 15, maxLength: 18 })) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const manager = request.who?.session?.role === 'manager';
      const a = bookings().cancel(request.params.id, request.body.idNumber, manager);
      return { code: a.code, state: a.state };
    },
  );

  app.get(
    '/api/v1/bookings',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['appointments'],
        summary: "A day's appointments with their states (booked, checkedIn, cancelled, noShow)",
        querystring: Type.Object({ day }, { additionalProperties: false }),
      },
    },
    async (request) => bookings().list(request.query.day),
  );

  app.put(
    '/api/v1/bookings/capacity',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['appointments'],
        summary: 'Set (or with null, reset to the derived figure) the appointment capacity of one slot',
        body: Type.Object(
          {
            day,
            service: Type.String({ minLength: 1, maxLength: 40 }),
            time,
            capacity: Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 500 })]),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => bookings().setCapacity(request.body.day, request.body.service, request.body.time, request.body.capacity),
  );

  // the two shares a manager sets: of the planned counter time for appointments, and of those places for the hub
  const shareRoute = (url: string, summary: string, key: 'share' | 'onlineShare', set: (v: number) => void, get: () => number) =>
    app.put(
      url,
      {
        config: { access: ['manager'] },
        schema: {
          tags: ['appointments'],
          summary,
          body: Type.Object({ share: Type.Number({ minimum: 0, maximum: 1 }) }, { additionalProperties: false }),
        },
      },
      async (request) => {
        set(request.body.share);
        return { [key]: get() };
      },
    );
  shareRoute(
    '/api/v1/bookings/share',
    'Share of the planned counter time reserved for appointments (default 0.3)',
    'share',
    (v) => bookings().setShare(v),
    () => bookings().share(),
  );
  shareRoute(
    '/api/v1/bookings/online-share',
    "Part of each slot's places granted to the hub for online booking (default 0.5; docs/booking-sync.md)",
    'onlineShare',
    (v) => bookings().setOnlineShare(v),
    () => bookings().onlineShare(),
  );
}
