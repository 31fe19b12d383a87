// 好差评 reasons a citizen may tick with a 不满意 / 非常不满意 rating. A hall configures the province's
// list (config `rating.reasons`); the default is the one DESIGN names, from the national 政务服务
// 好差评 practice. The code goes into the hall's tables and cases; the Chinese name travels upward
// with it (contracts/records.ts RatingV2), so a supervisor can read a province's own codes.

export interface RatingReasonDef {
  /** stable code: lower-case letters, digits and dashes */
  code: string;
  zh: string;
  en: string;
}

export const RATING_REASON_CODE = /^[a-z][a-z0-9-]{0,39}$/;
/** the pad lays them out in at most two rows of four */
export const MAX_RATING_REASONS = 8;

export const DEFAULT_RATING_REASONS: readonly RatingReasonDef[] = [
  { code: 'attitude', zh: '态度', en: 'Attitude' },
  { code: 'efficiency', zh: '效率', en: 'Efficiency' },
  { code: 'unfamiliar', zh: '业务不熟', en: 'Unfamiliar with the work' },
  { code: 'cumbersome', zh: '流程繁琐', en: 'Cumbersome process' },
  { code: 'other', zh: '其他', en: 'Other' },
];

/** the Chinese name of a code: the hall's list first, then the default list, else the code itself */
export function reasonName(code: string, list: readonly RatingReasonDef[] = DEFAULT_RATING_REASONS): string {
  return list.find((r) => r.code === code)?.zh ?? DEFAULT_RATING_REASONS.find((r) => r.code === code)?.zh ?? code;
}
