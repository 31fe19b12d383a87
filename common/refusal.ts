/**
 * A refusal the caller can act on, shared by the hall's API (agent/api/errors.ts ApiError), the booking
 * rules of hall and hub (common/bookings.ts BookingError) and whatever else answers a citizen or a
 * screen: the HTTP status, a stable code, the message in zh-CN (screens, printers) and English, and
 * optionally the seconds to wait (Retry-After). Never our own bugs; never a clear 身份证 number.
 */
export class Refusal<S extends number = number> extends Error {
  constructor(
    readonly status: S,
    readonly code: string,
    message: string,
    readonly messageEn: string,
    /** seconds, sent as Retry-After */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}
