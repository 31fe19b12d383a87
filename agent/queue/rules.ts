/** Every tunable of the calling order and issuing, so a hall changes behaviour in config, not code. */
export interface QueueRules {
  /** IANA zone of the hall; the business day and daily numbering reset at local midnight */
  timezone: string;
  /** digits of the daily sequence: 3 → A001 */
  numberWidth: number;
  /** tickets per 身份证 number, per service, per day */
  idDailyLimitPerService: number;
  /** senior : normal interleave at counters that are not 老年人专窗 */
  seniorRatio: { senior: number; normal: number };
  /** a normal ticket waiting this long is never passed again (green excepted) */
  starvationMs: number;
  /** an appointment checked in later than slotEnd + grace joins as normal */
  appointmentGraceMs: number;
  /** 过号 return is placed behind this many waiting tickets */
  rejoinBehind: number;
  /** 重呼 beyond this count is refused: the counter should 过号 instead */
  maxRecalls: number;
  /** weight of the newest handling time in the per-service EWMA */
  ewmaAlpha: number;
  /** 整改 due date after a bad rating, in working days (Mon–Fri; public holidays not modelled) */
  rectificationWorkingDays: number;
}

export const DEFAULT_RULES: QueueRules = {
  timezone: 'Asia/Shanghai',
  numberWidth: 3,
  idDailyLimitPerService: 2,
  seniorRatio: { senior: 1, normal: 2 },
  starvationMs: 30 * 60_000,
  appointmentGraceMs: 15 * 60_000,
  rejoinBehind: 3,
  maxRecalls: 3,
  ewmaAlpha: 0.2,
  rectificationWorkingDays: 15,
};

export function resolveRules(partial?: Partial<QueueRules>): QueueRules {
  const r: QueueRules = { ...DEFAULT_RULES, ...partial };
  if (!Number.isInteger(r.numberWidth) || r.numberWidth < 1 || r.numberWidth > 6) {
    throw new Error(`numberWidth must be an integer 1..6, got ${r.numberWidth}`);
  }
  if (r.seniorRatio.senior < 1 || r.seniorRatio.normal < 0) throw new Error('seniorRatio must be senior ≥ 1, normal ≥ 0');
  if (!(r.ewmaAlpha > 0 && r.ewmaAlpha <= 1)) throw new Error('ewmaAlpha must be in (0, 1]');
  // Throws RangeError on an unknown zone, at startup rather than at the first ticket.
  new Intl.DateTimeFormat('en-CA', { timeZone: r.timezone });
  return r;
}
