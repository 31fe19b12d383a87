// Rules a booking follows wherever it is taken: at the hall (agent/forecast/bookings.ts) and on the hub's
// public pages (hub/bookings.ts). One person, one ID hash: the same limits at both ends.

/** how far ahead a slot can be booked */
export const BOOKING_DAYS = 14;
/** bookings a person may hold at once (not yet begun), and one per service and day */
export const MAX_ACTIVE_PER_ID = 2;

/** a refusal the citizen reads: HTTP status, a stable code, and the message in zh-CN and English */
export class BookingError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
    readonly messageEn: string,
  ) {
    super(message);
  }
}
