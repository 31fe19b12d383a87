// Cross-checks of rating.reasons (the 不满意 reasons a pad offers) that a per-key spec cannot express.
import type { RawHallConfig } from './schema.js';
import type { Issue } from './spec.js';

type RawReason = NonNullable<NonNullable<RawHallConfig['rating']>['reasons']>[number];

const WHAT = { code: 'a code', zh: 'a Chinese name', en: 'an English name' } as const;

/** every reason's code, Chinese and English names used once: a pad or a report could not tell two apart */
export function checkRatingReasons(reasons: readonly RawReason[], issues: Issue[]): void {
  for (const key of ['code', 'zh', 'en'] as const)
    reasons.forEach((r, i) => {
      const first = reasons.findIndex((o) => o[key] === r[key]);
      if (first !== i)
        issues.push({
          path: `rating.reasons[${i}].${key}`,
          expected: `${WHAT[key]} not already used by rating.reasons[${first}]`,
          got: r[key],
        });
    });
}
