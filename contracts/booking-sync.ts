// The downward channel (hub → hall), the mirror of the upward sync: one signed exchange that the hall
// starts (POST <hub>/api/v1/booking-sync, signed like an ingest batch, contracts/sign.ts). Up go the
// places the hall grants the hub per slot (its online quota, each change numbered); down come the
// hub's bookings and cancellations after the hall's cursor, in the hub's order, and the answer is
// signed by the hub with the same hall secret and names the request's batch id, so a hall applies
// only an answer to its own request. docs/booking-sync.md.
import Type, { type Static } from 'typebox';

const day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const service = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$' });

/** One slot's online quota: places the hub may book in it. `seq` grows with every change of the slot. */
export const QuotaGrant = Type.Object(
  {
    day,
    service,
    serviceName: Type.String({ minLength: 1, maxLength: 60 }),
    slot: Type.Integer({ minimum: 0, maximum: 47 }),
    start: Type.Integer({ minimum: 0 }),
    end: Type.Integer({ minimum: 0 }),
    quota: Type.Integer({ minimum: 0, maximum: 10_000 }),
    seq: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type QuotaGrant = Static<typeof QuotaGrant>;

export const BookingSyncRequest = Type.Object(
  {
    batchId: Type.String({ minLength: 8, maxLength: 64 }),
    /** the last hub event the hall has applied (0: none) */
    after: Type.Integer({ minimum: 0 }),
    quotas: Type.Array(QuotaGrant, { maxItems: 5000 }),
  },
  { additionalProperties: false },
);
export type BookingSyncRequest = Static<typeof BookingSyncRequest>;

/** What the hub holds for a slot after the grant: `quota` may stay above the one asked for, never below its bookings. */
export interface QuotaAck {
  day: string;
  service: string;
  slot: number;
  /** the grant this answers */
  seq: number;
  quota: number;
  booked: number;
}

export interface HubBookingEvent {
  /** per hall, gap-free, in commit order */
  seq: number;
  kind: 'booked' | 'cancelled';
  bookingId: string;
  code: string;
  day: string;
  service: string;
  slot: number;
  slotStart: number;
  slotEnd: number;
  nameMasked: string | null;
  at: number;
}

export interface BookingSyncAnswer {
  batchId: string;
  acks: QuotaAck[];
  events: HubBookingEvent[];
  /** more events wait after the last one sent */
  more: boolean;
}

export const BOOKING_SYNC_PATH = '/api/v1/booking-sync';
/** events per answer */
export const BOOKING_EVENTS_PER_ANSWER = 500;
