// The upward-sync contract: one typed, versioned record kind per fact the supervisors receive.
// The TypeBox definitions below are the source; contracts/schema/*.schema.json are written from them
// (`npx tsx contracts/write-schemas.ts`) and a test keeps the two equal.
// Personal data stays in the hall: no ID numbers or hashes, no names, phones masked, free texts scrubbed.
import Type, { type Static, type TSchema } from 'typebox';
import { CAMPAIGN_KINDS, CASE_KINDS, CHANNELS, type CaseKind, RECORD_KINDS as KINDS, type RecordKind } from '../common/vocabulary.js';

export type { RecordKind };
import { COUNT_KEYS, type DayFigures, emptyDay, WAIT_BUCKETS } from '../common/figures.js';
import { MAX_RATING_REASONS, RATING_REASON_CODE, reasonName } from '../common/rating-reasons.js';

const day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'hall-local business day' });
const ms = Type.Integer({ minimum: 0, description: 'epoch milliseconds' });
const id = Type.String({ minLength: 1, maxLength: 80 });
const shortText = (max: number) => Type.String({ maxLength: max });
const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const level = Type.Integer({ minimum: 1, maximum: 5, description: '5 非常满意 … 1 非常不满意' });
const L = Type.Literal;
const reason = Type.Union([L('attitude'), L('efficiency'), L('unfamiliar'), L('cumbersome'), L('other')]);
/** a code of the hall's configured reason list (common/rating-reasons.ts) */
const reasonCode = Type.String({ pattern: RATING_REASON_CODE.source, maxLength: 40 });
/** the values of a vocabulary table (common/vocabulary.ts), in its order */
const oneOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>(Type.Union(values.map((v) => L(v))));
const channel = oneOf(CHANNELS);
/** 评价渠道: the counter's rating pad (窗口评价器), the caller keypad, the kiosk, a QR code / web page */
const ratingChannel = Type.Union([L('pad'), L('keypad'), L('kiosk'), L('qr')]);
const caseNumber = nullable(Type.String({ minLength: 1, maxLength: 40, description: '办件编号 entered by staff at finish' }));
const strict = { additionalProperties: false } as const;

export const RatingV1 = Type.Object(
  {
    ticketId: id,
    number: shortText(10),
    day,
    at: ms,
    service: id,
    counter: id,
    staffId: nullable(id),
    level,
    reasons: Type.Array(reason, { maxItems: 5, description: 'required for levels 1–2' }),
    channel: ratingChannel,
    caseNumber,
    comment: nullable(shortText(500)),
    rectification: nullable(Type.Object({ id, dueDay: day }, strict)),
  },
  strict,
);

/**
 * 好差评 v2: the hall configures its reasons (the province's list), so a code alone means nothing to a
 * supervisor of another hall: each code goes up with the Chinese name the citizen ticked, in the same order.
 */
export const RatingV2 = Type.Object(
  {
    ...RatingV1.properties,
    reasons: Type.Array(reasonCode, { maxItems: MAX_RATING_REASONS, description: 'codes of the hall list, required for levels 1–2' }),
    reasonNames: Type.Array(shortText(20), { maxItems: MAX_RATING_REASONS, description: 'the Chinese name of each code, same order' }),
  },
  strict,
);

/** a v1 rating (an agent before configurable reasons): its five fixed codes with their national names */
export function ratingFromV1(v1: Static<typeof RatingV1>): Static<typeof RatingV2> {
  return { ...v1, reasonNames: v1.reasons.map((c) => reasonName(c)) };
}

export const NotRatedV1 = Type.Object(
  { ticketId: id, number: shortText(10), day, at: ms, service: id, counter: id, staffId: nullable(id), caseNumber },
  strict,
);

export const ServiceRecordV1 = Type.Object(
  {
    ticketId: id,
    number: shortText(10),
    day,
    service: id,
    channel,
    counter: id,
    /** 首接负责制: the first counter that served the citizen */
    owner: id,
    staffId: nullable(id),
    issuedAt: ms,
    calledAt: nullable(ms),
    startedAt: ms,
    finishedAt: ms,
    /** issue → first call of this entry (transfers keep the issue time) */
    waitMs: nullable(Type.Integer({ minimum: 0 })),
    handlingMs: Type.Integer({ minimum: 0 }),
    caseNumber,
    transfers: Type.Array(Type.Object({ fromTicketId: id, fromService: id, fromCounter: nullable(id), toService: id }, strict), {
      maxItems: 50,
    }),
    acceptedWithMissing: Type.Array(Type.Object({ id, missingMaterialIds: Type.Array(id, { maxItems: 50 }), followUpDate: day }, strict), {
      maxItems: 20,
    }),
  },
  strict,
);

export const NoticeV1 = Type.Object(
  {
    id,
    day,
    at: ms,
    counter: id,
    service: id,
    ticketId: nullable(id),
    staffId: nullable(id),
    missingMaterialIds: Type.Array(id, { minItems: 1, maxItems: 50 }),
  },
  strict,
);

/** 容缺办理: sent on its own when accepted, and again inside the service record at finish */
export const AcceptedWithMissingV1 = Type.Object(
  { id, day, at: ms, counter: id, ticketId: id, missingMaterialIds: Type.Array(id, { minItems: 1, maxItems: 50 }), followUpDate: day },
  strict,
);

export const UnresolvedReportV1 = Type.Object(
  {
    id,
    day,
    at: ms,
    service: nullable(id),
    description: shortText(1000),
    /** masked: 138****5678 */
    contactMasked: nullable(shortText(40)),
    dueDay: day,
  },
  strict,
);

export const CaseChangeV1 = Type.Object(
  {
    caseKind: oneOf(CASE_KINDS.filter((k): k is CaseKind => k === 'rectification' || k === 'unresolved')),
    caseId: id,
    action: Type.Union([L('opened'), L('callback'), L('assigned'), L('closed')]),
    at: ms,
    day,
    state: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
    dueDay: day,
    openedAt: ms,
    closedAt: nullable(ms),
    counter: nullable(id),
    staffId: nullable(id),
    ticketId: nullable(id),
    /** 回访 outcome; null = not reached */
    satisfied: Type.Optional(nullable(Type.Boolean())),
    /** callback note, 整改措施 or resolution, scrubbed of phone and ID numbers */
    text: nullable(shortText(2000)),
  },
  strict,
);

/** 上门服务 / 信访 / 自查 / 回访 cases (campaign): the supervisor sees the case, the hall keeps names and phones. */
export const CampaignCaseV1 = Type.Object(
  {
    caseKind: oneOf(CAMPAIGN_KINDS),
    caseId: id,
    action: Type.Union([L('opened'), L('assigned'), L('discussed'), L('escalated'), L('callback'), L('contact'), L('closed')]),
    at: ms,
    day,
    state: Type.Union([L('open'), L('closed')]),
    dueDay: day,
    openedAt: ms,
    closedAt: nullable(ms),
    service: nullable(id),
    /** 回访 sample: the rated counter, staff and ticket */
    counter: nullable(id),
    staffId: nullable(id),
    ticketId: nullable(id),
    /** 信访 */
    source: nullable(Type.Union([L('12345'), L('letter'), L('kiosk'), L('visit'), L('other')])),
    escalation: nullable(Type.Union([L('hall'), L('county'), L('city'), L('province')])),
    satisfied: Type.Optional(nullable(Type.Boolean())),
    /** note, discussion or result, scrubbed of phone and ID numbers */
    text: nullable(shortText(2000)),
  },
  strict,
);

/** 容缺 follow-up: the missing materials arrived. */
export const FollowUpDoneV1 = Type.Object({ id, day, at: ms, counter: id, ticketId: id }, strict);

const count = Type.Integer({ minimum: 0 });
export const DailySummaryV1 = Type.Object(
  {
    day,
    tickets: count,
    served: count,
    noShow: count,
    cancelled: count,
    avgWaitMs: nullable(count),
    avgHandlingMs: nullable(count),
    ratings: Type.Object({ l1: count, l2: count, l3: count, l4: count, l5: count, notRated: count }, strict),
    notices: count,
    acceptedWithMissing: count,
    unresolvedOpened: count,
  },
  strict,
);

/**
 * 日汇总 v2: the hall day's additive figures exactly as common/figures.ts defines them, with the wait
 * histogram the 90 % wait is read from. A closed day whose figures change later (a rating of its
 * services given after midnight) is sent again with the next revision; the hub keeps the highest.
 */
const OPTIONAL_FIGURES = new Set<string>(['servedAtClose']);
export const DailySummaryV2 = Type.Object(
  {
    day,
    revision: Type.Integer({
      minimum: 0,
      maximum: 1000,
      description: '1 for the first summary of a day, n+1 per revision; 0 = read from a v1 summary',
    }),
    figures: Type.Object(
      {
        // a figure added after v2 shipped is optional: a hall not yet upgraded leaves it out (0 at the hub)
        ...Object.fromEntries(COUNT_KEYS.map((k) => [k, OPTIONAL_FIGURES.has(k) ? Type.Optional(count) : count])),
        waitMaxMs: count,
        waitHist: Type.Array(count, { minItems: WAIT_BUCKETS, maxItems: WAIT_BUCKETS }),
      } as Record<(typeof COUNT_KEYS)[number] | 'waitMaxMs', typeof count> & { waitHist: ReturnType<typeof Type.Array<typeof count>> },
      strict,
    ),
  },
  strict,
);

/**
 * A v1 summary (an agent not yet upgraded) in the v2 shape: its counts as they are, its waits and
 * handling counted over its served tickets, no wait histogram (its 90 % wait is unknown). Revision 0
 * marks it, so any v2 summary of the same day replaces it.
 */
export function dailySummaryFromV1(v1: Static<typeof DailySummaryV1>): Static<typeof DailySummaryV2> {
  const f: DayFigures = emptyDay();
  f.issued = v1.tickets;
  f.served = v1.served;
  f.noShow = v1.noShow;
  f.cancelled = v1.cancelled;
  if (v1.avgWaitMs !== null) {
    f.waitCount = v1.served;
    f.waitSumMs = v1.avgWaitMs * v1.served;
  }
  if (v1.avgHandlingMs !== null) {
    f.handlingCount = v1.served;
    f.handlingSumMs = v1.avgHandlingMs * v1.served;
  }
  Object.assign(f, { l1: v1.ratings.l1, l2: v1.ratings.l2, l3: v1.ratings.l3, l4: v1.ratings.l4, l5: v1.ratings.l5 });
  f.notRated = v1.ratings.notRated;
  f.notices = v1.notices;
  f.acceptedWithMissing = v1.acceptedWithMissing;
  f.unresolvedOpened = v1.unresolvedOpened;
  return { day: v1.day, revision: 0, figures: f };
}

export const LiveWaitV1 = Type.Object(
  {
    at: ms,
    /** false once the hall closed its day (the hub shows 已闭厅); absent from halls before the day lifecycle */
    open: Type.Optional(Type.Boolean()),
    services: Type.Array(
      Type.Object(
        {
          service: id,
          name: shortText(100),
          waiting: count,
          /** minutes for a ticket taken now; null when no counter serving it is open */
          estimateMinutes: nullable(count),
          openCounters: count,
        },
        strict,
      ),
      { maxItems: 100 },
    ),
  },
  strict,
);

/**
 * An older version of a record kind that the hub still reads: its own schema, and the function that
 * turns its data into the current shape (fields it lacks become null / their neutral value). A hub is
 * upgraded before its halls, so halls on the previous agent keep sending the old version for weeks.
 */
export interface OlderVersion<Current> {
  v: number;
  schema: TSchema;
  upgrade(data: any): Current;
}

/** a record kind: the version the hall sends now, its schema, and the older versions the hub still reads */
function contract<S extends TSchema>(v: number, schema: S, older: readonly OlderVersion<Static<S>>[] = []) {
  return { v, schema, older };
}

/**
 * kind → current version and schema, plus the older versions still read. A new version of a kind is
 * `contract(2, KindV2, [{ v: 1, schema: KindV1, upgrade: (d) => ({ ...d, newField: null }) }])`: halls
 * send v2 from then on, the hub reads v1 and v2 side by side and stores both in the v2 shape.
 */
export const CONTRACTS = {
  rating: contract(2, RatingV2, [{ v: 1, schema: RatingV1, upgrade: ratingFromV1 }]),
  notRated: contract(1, NotRatedV1),
  serviceRecord: contract(1, ServiceRecordV1),
  notice: contract(1, NoticeV1),
  acceptedWithMissing: contract(1, AcceptedWithMissingV1),
  unresolvedReport: contract(1, UnresolvedReportV1),
  caseChange: contract(1, CaseChangeV1),
  campaignCase: contract(1, CampaignCaseV1),
  followUpDone: contract(1, FollowUpDoneV1),
  dailySummary: contract(2, DailySummaryV2, [{ v: 1, schema: DailySummaryV1, upgrade: dailySummaryFromV1 }]),
  liveWait: contract(1, LiveWaitV1),
} as const satisfies Record<RecordKind, unknown>;

/** the table's shape, for a hub started with another table (tests) */
export type ContractTable = Record<string, { v: number; schema: TSchema; older: readonly OlderVersion<unknown>[] }>;

export interface ReadableVersion {
  v: number;
  schema: TSchema;
  /** data of this version → the current shape (identity for the current version) */
  upgrade(data: unknown): unknown;
}

/** every version the hub reads of each kind, the current one first */
export function readableVersions(table: ContractTable = CONTRACTS): Record<string, ReadableVersion[]> {
  return Object.fromEntries(
    Object.entries(table).map(([kind, c]) => [
      kind,
      [{ v: c.v, schema: c.schema, upgrade: (d: unknown) => d }, ...c.older.map((o) => ({ v: o.v, schema: o.schema, upgrade: o.upgrade }))],
    ]),
  );
}

/** the record kinds of common/vocabulary.ts, each with its contract above (the `satisfies` keeps them one set) */
export const RECORD_KINDS: readonly RecordKind[] = KINDS;
export type RecordData = { [K in RecordKind]: Static<(typeof CONTRACTS)[K]['schema']> };

/**
 * One record in a batch: `key` is the idempotency key, unique per hall. Without a kind argument it is
 * the union over the kinds, so `if (r.kind === 'rating')` narrows `r.data` to a rating.
 */
export type SyncRecord<K extends RecordKind = RecordKind> = {
  [P in K]: {
    key: string;
    kind: P;
    v: number;
    /** when the fact happened (epoch ms); the hub partitions by it */
    at: number;
    /** hall-local business day of the fact */
    day: string;
    data: RecordData[P];
  };
}[K];

export const SyncRecordEnvelope = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Type.String({ minLength: 1, maxLength: 40 }),
    v: Type.Integer({ minimum: 1, maximum: 1000 }),
    at: ms,
    day,
    data: Type.Object({}),
  },
  strict,
);

export const BatchV1 = Type.Object(
  {
    batchId: Type.String({ minLength: 8, maxLength: 80 }),
    records: Type.Array(SyncRecordEnvelope, { minItems: 1, maxItems: 2000 }),
  },
  strict,
);
export type Batch = { batchId: string; records: SyncRecord[] };

export type RecordResult = { key: string; status: 'stored' | 'duplicate' | 'rejected'; reason?: string };
export interface BatchAck {
  results: RecordResult[];
}
