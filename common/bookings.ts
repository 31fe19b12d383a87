// Rules a booking follows wherever it is taken: at the hall (agent/forecast/bookings.ts) and on the hub's
// public pages (hub/bookings.ts). One person, one ID hash: the same limits at both ends.
import { Refusal } from './refusal.js';

/** how far ahead a slot can be booked */
export const BOOKING_DAYS = 14;
/** bookings a person may hold at once (not yet begun), and one per service and day */
export const MAX_ACTIVE_PER_ID = 2;

/** a refusal of a booking or cancel the citizen reads: the shared refusal (common/refusal.ts), with the statuses booking uses */
export class BookingError extends Refusal<400 | 404 | 409> {}
