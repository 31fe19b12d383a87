// A token bucket per client address for the public booking actions (book, cancel, a code checked):
// a citizen's phone books or cancels a few times; a script from one address cannot take a hall's
// online places or try codes faster than the refill (docs/booking-sync.md, "Per-address limit").
// In memory, per hub process: the check and the take are one synchronous step, so parallel requests
// cannot slip between them. Memory stays bounded: at most `maxAddresses` buckets, the least recently
// used dropped first, a tenth at a time (one idle long enough to refill is the same as none).

export interface RateLimitSettings {
  /** actions an address may make at once */
  burst: number;
  /** actions an address gets back per hour, one at a time */
  perHour: number;
  /** buckets kept (default 50,000: about 8 MB; `npm run bench`, bench/booking-rate.ts) */
  maxAddresses?: number;
}

export const DEFAULT_BOOKING_RATE: RateLimitSettings = { burst: 10, perHour: 30 };

/**
 * The key of a client: an IPv4 address as is (also when written as ::ffff:a.b.c.d), an IPv6 address
 * by its /64: one subscriber line or phone gets a whole /64 and could otherwise change address per
 * request.
 */
export function clientKey(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export type Take = { ok: true } | { ok: false; retryAfterS: number };

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly max: number;

  constructor(
    private readonly s: RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {
    if (!(s.burst >= 1) || !(s.perHour > 0)) throw new Error(`rate limit: burst ≥ 1 and perHour > 0 (got ${s.burst}, ${s.perHour})`);
    this.max = Math.max(1, s.maxAddresses ?? 50_000);
  }

  get size(): number {
    return this.buckets.size;
  }

  /** one action of `key`: allowed (a token taken) or refused with the seconds until the next token */
  take(key: string): Take {
    const now = this.now();
    const b = this.buckets.get(key);
    // a clock set back (a test's, or NTP) gives nothing back and takes nothing
    const tokens = b ? Math.min(this.s.burst, b.tokens + (Math.max(0, now - b.at) * this.s.perHour) / 3_600_000) : this.s.burst;
    if (b) this.buckets.delete(key); // re-inserted below: the Map's order is the order of last use
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: Math.max(now, b?.at ?? now) });
      // ms until the next whole token, rounded so 1/30 h is 120 s and not 121 (floating point)
      const ms = ((1 - tokens) * 3_600_000) / this.s.perHour;
      return { ok: false, retryAfterS: Math.max(1, Math.ceil(ms / 1000 - 1e-6)) };
    }
    this.buckets.set(key, { tokens: tokens - 1, at: Math.max(now, b?.at ?? now) });
    if (this.buckets.size > this.max) {
      // a tenth at a time, oldest first: dropping one per request walks the Map's deleted head every time
      let drop = this.buckets.size - Math.floor(this.max * 0.9);
      for (const k of this.buckets.keys()) {
        if (drop-- <= 0) break;
        this.buckets.delete(k);
      }
    }
    return { ok: true };
  }
}
