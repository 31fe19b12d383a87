// Generated campaign (上门服务, 信访, 自查, 回访) and 容缺 activity of a hall, as a model of what
// happened (the truth) and the sync records a hall would send for it. The expected figures are
// computed here from the model, never from the records or the hub's tables.
import type { RecordData, SyncRecord } from '../../contracts/records.js';

type Kind = RecordData['campaignCase']['caseKind'];
type Escalation = NonNullable<RecordData['campaignCase']['escalation']>;
const LEVELS: Escalation[] = ['hall', 'county', 'city', 'province'];

export interface CaseModel {
  hallId: string;
  id: string;
  kind: Kind;
  openDay: string;
  dueDay: string;
  /** day the petition first stood above the hall */
  escalatedDay: string | null;
  lastCallback: { day: string; satisfied: boolean | null } | null;
  closedDay: string | null;
}

export interface AcceptedModel {
  hallId: string;
  id: string;
  day: string;
  followUpDate: string;
  doneDay: string | null;
}

export interface HallActivity {
  cases: CaseModel[];
  accepted: AcceptedModel[];
  records: SyncRecord[];
}

export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);
/** 09:00 in Asia/Shanghai plus `minutes`: stays on the same hall day for up to 14 hours */
export const timeOn = (day: string, minutes = 0) => Date.parse(`${day}T01:00:00Z`) + minutes * 60_000;

export function rng(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    // the high bits: an LCG's low bits repeat with a short period
    return Math.floor((s / 2 ** 31) * n);
  };
}

export function campaignRecord(
  key: string,
  at: number,
  day: string,
  c: Omit<RecordData['campaignCase'], 'at' | 'day' | 'text'> & { text?: string | null },
): SyncRecord {
  return { key, kind: 'campaignCase', v: 1, at, day, data: { text: null, ...c, at, day } as RecordData['campaignCase'] };
}

/** one hall's activity from `first` to `last` (inclusive); nothing happens after `last` */
export function generateHall(hallId: string, first: string, last: string, seed: number): HallActivity {
  const rnd = rng(seed);
  const out: HallActivity = { cases: [], accepted: [], records: [] };
  const kinds: Kind[] = ['homeVisit', 'petition', 'selfCheck', 'revisit'];
  let seq = 0;
  for (let day = first; day <= last; day = addDays(day, 1)) {
    for (let k = 0, n = rnd(3); k < n; k++) {
      const kind = kinds[rnd(4)]!;
      const id = `${kind[0]!.toUpperCase()}-${hallId}-${++seq}`;
      const model: CaseModel = {
        hallId,
        id,
        kind,
        openDay: day,
        dueDay: addDays(day, 1 + rnd(20)),
        escalatedDay: null,
        lastCallback: null,
        closedDay: null,
      };
      const openedAt = timeOn(day, k * 5);
      let level = kind === 'petition' ? (rnd(5) === 0 ? 'county' : 'hall') : null;
      let satisfied: boolean | null | undefined;
      let step = 0;
      const snapshot = (at: number, evDay: string, action: RecordData['campaignCase']['action'], closed: boolean) => {
        const rec = campaignRecord(`case:${id}:${step++}`, at, evDay, {
          caseKind: kind,
          caseId: id,
          action,
          state: closed ? 'closed' : 'open',
          dueDay: model.dueDay,
          openedAt,
          closedAt: closed ? at : null,
          service: 'id-card',
          counter: kind === 'revisit' ? '3' : null,
          staffId: kind === 'revisit' ? 'A1003' : null,
          ticketId: kind === 'revisit' ? `${day}:T${seq}` : null,
          source: kind === 'petition' ? '12345' : null,
          escalation: level as Escalation | null,
          text: action === 'closed' ? '已办结' : null,
        });
        if (satisfied !== undefined) (rec.data as RecordData['campaignCase']).satisfied = satisfied;
        out.records.push(rec);
        if (level && level !== 'hall' && model.escalatedDay === null) model.escalatedDay = evDay;
      };
      snapshot(openedAt, day, 'opened', false);
      // The following steps, each on a later day; a step past `last` has not happened yet.
      let evDay = day;
      const next = () => {
        evDay = addDays(evDay, rnd(4));
        return evDay <= last;
      };
      if (kind === 'petition') {
        for (let d = 0, nd = rnd(3); d < nd && next(); d++) {
          const up = rnd(3) === 0 && level !== 'province';
          if (up) level = LEVELS[LEVELS.indexOf(level as Escalation) + 1]!;
          snapshot(timeOn(evDay, 100 + step * 7), evDay, up ? 'escalated' : 'discussed', false);
        }
      }
      let calledBack = false;
      if (kind !== 'selfCheck') {
        for (let cb = 0, ncb = rnd(3); cb < ncb && next(); cb++) {
          satisfied = [true, false, null][rnd(3)]!;
          calledBack = true;
          snapshot(timeOn(evDay, 100 + step * 7), evDay, 'callback', false);
          model.lastCallback = { day: evDay, satisfied };
          satisfied = undefined;
        }
      }
      const mayClose = kind === 'petition' || kind === 'revisit' ? calledBack : true;
      if (mayClose && rnd(4) > 0 && next()) {
        snapshot(timeOn(evDay, 100 + step * 7), evDay, 'closed', true);
        model.closedDay = evDay;
      }
      out.cases.push(model);
    }
    if (rnd(2) === 0) {
      const id = `C-${hallId}-${++seq}`;
      const at = timeOn(day, 30);
      const a: AcceptedModel = { hallId, id, day, followUpDate: addDays(day, 1 + rnd(10)), doneDay: null };
      const ticketId = `${day}:T${seq}`;
      out.records.push({
        key: `accepted:${id}`,
        kind: 'acceptedWithMissing',
        v: 1,
        at,
        day,
        data: { id, day, at, counter: '2', ticketId, missingMaterialIds: ['old-id-card'], followUpDate: a.followUpDate },
      });
      const doneDay = addDays(day, rnd(14));
      if (rnd(5) < 3 && doneDay <= last) {
        const doneAt = timeOn(doneDay, 200);
        out.records.push({
          key: `rongque:${id}:done`,
          kind: 'followUpDone',
          v: 1,
          at: doneAt,
          day: doneDay,
          data: { id, day: doneDay, at: doneAt, counter: '2', ticketId },
        });
        a.doneDay = doneDay;
      }
      out.accepted.push(a);
    }
  }
  return out;
}

/** the cycle's figures from the model (cycle from … to inclusive, overdue as of `today`) */
export function expectedFigures(a: HallActivity, from: string, to: string, today: string) {
  const inCycle = (d: string | null) => d !== null && d >= from && d <= to;
  const of = (kind: Kind) => a.cases.filter((c) => c.kind === kind);
  const opened = (kind: Kind) => of(kind).filter((c) => inCycle(c.openDay)).length;
  const closed = (kind: Kind) => of(kind).filter((c) => inCycle(c.closedDay)).length;
  const callbacks = a.cases.filter((c) => c.lastCallback && inCycle(c.lastCallback.day)).map((c) => c.lastCallback!.satisfied);
  return {
    acceptedWithMissing: a.accepted.filter((x) => inCycle(x.day)).length,
    cases: {
      homeVisitOpened: opened('homeVisit'),
      homeVisitClosed: closed('homeVisit'),
      petitionOpened: opened('petition'),
      petitionClosed: closed('petition'),
      petitionEscalated: of('petition').filter((c) => inCycle(c.escalatedDay)).length,
      selfCheckOpened: opened('selfCheck'),
      selfCheckClosed: closed('selfCheck'),
      revisitOpened: opened('revisit'),
      revisitClosed: closed('revisit'),
      callbackSatisfied: callbacks.filter((s) => s === true).length,
      callbackUnsatisfied: callbacks.filter((s) => s === false).length,
      callbackNotReached: callbacks.filter((s) => s === null).length,
      acceptedCompleted: a.accepted.filter((x) => inCycle(x.doneDay)).length,
      acceptedOverdue: a.accepted.filter((x) => x.doneDay === null && inCycle(x.followUpDate) && x.followUpDate < today).length,
    },
  };
}

/** what the supervision list must show today: open campaign cases (overdue flagged) and overdue 容缺 */
export function expectedLists(acts: HallActivity[], today: string) {
  const cases = acts.flatMap((a) => a.cases).filter((c) => c.closedDay === null);
  return {
    openCampaign: cases.map((c) => `${c.hallId}/${c.id}/${c.dueDay < today ? 'overdue' : 'open'}`).sort(),
    overdueAccepted: acts
      .flatMap((a) => a.accepted)
      .filter((x) => x.doneDay === null && x.followUpDate < today)
      .map((x) => `${x.hallId}/${x.id}`)
      .sort(),
  };
}

/** Fisher–Yates with the seeded generator: the order a flaky network might deliver in */
export function shuffled<T>(xs: T[], seed: number): T[] {
  const rnd = rng(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
