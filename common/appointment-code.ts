// 预约码 alphabet: what the kiosk's on-screen keypad can type. An import refuses a code with any other
// character (agent/queue/appointments.ts), so no citizen ever holds a code the kiosk cannot take.
// Pure, no imports: shared by the agent and the kiosk screen.

export const CODE_DIGITS = '0123456789';
export const CODE_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** a hyphen: booking systems print codes in groups (YY-20261128-7731) */
export const CODE_SYMBOLS = '-';
export const CODE_MAX_LENGTH = 20;

/** null when the code is typeable on the kiosk, else the reason in Chinese (with the offending characters). */
export function appointmentCodeProblem(code: string): string | null {
  if (code.length > CODE_MAX_LENGTH) return `预约码最长 ${CODE_MAX_LENGTH} 位`;
  const ok = CODE_DIGITS + CODE_LETTERS + CODE_SYMBOLS;
  const bad = [...new Set([...code].filter((ch) => !ok.includes(ch)))];
  if (bad.length === 0) return null;
  return `预约码只能由数字 0–9、大写字母 A–Z 和连字符 - 组成（取号机键盘可输入的字符），不能含「${bad.join('」「')}」`;
}

/**
 * Codes hallq issues itself (hall bookings: 8 characters; hub bookings: 10, so the two never collide):
 * the kiosk alphabet without 0/O/1/I, which a citizen reading a phone screen mixes up.
 */
export const BOOKING_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const HALL_BOOKING_CODE_LENGTH = 8;
export const HUB_BOOKING_CODE_LENGTH = 10;
