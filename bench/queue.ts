// Queue engine benchmark: `npx tsx bench/queue.ts` (also run by `npm run bench`).
// 1. operations per second against a real temp file with synchronous=FULL (one fsync per action);
// 2. wall time to replay a busy hall day: 3,000 tickets, 12 counters, mixed channels.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueEngine } from '../agent/queue/engine.js';
import { DEFAULT_RULES } from '../agent/queue/rules.js';
import type { Channel, CounterDef, ServiceDef } from '../agent/queue/types.js';
import { openHallStore } from '../agent/store/index.js';
import { sized } from './mode.js';

const dir = mkdtempSync(join(tmpdir(), 'hallq-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function rng(seed: number) {
  // mulberry32: a seeded PRNG so every run replays the same day
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const svc = (id: string, prefix: string, zh: string, minutes: number): ServiceDef => ({
  id,
  prefix,
  name: { zh, en: id },
  description: { zh: '', en: '' },
  materials: [],
  conditions: [],
  process: [],
  fee: { zh: '免费', en: 'free' },
  expectedMinutes: minutes,
});
const SERVICES = [
  svc('idcard', 'A', '身份证办理', 6),
  svc('move', 'B', '户口迁移', 15),
  svc('birth', 'C', '出生登记', 12),
  svc('residence', 'D', '居住证', 8),
  svc('proof', 'E', '户籍证明', 5),
  svc('consult', 'F', '咨询', 4),
];
const ctr = (id: string, services: string[], extra: Partial<CounterDef> = {}): CounterDef => ({
  id,
  name: { zh: `${id}号窗口`, en: `Counter ${id}` },
  services,
  senior: false,
  green: false,
  ...extra,
});
const COUNTERS = [
  ctr('1', ['idcard', 'proof'], { green: true }),
  ctr('2', ['idcard', 'residence']),
  ctr('3', ['idcard'], { senior: true }),
  ctr('4', ['idcard', 'move'], { backupCounter: '5' }),
  ctr('5', ['move', 'birth']),
  ctr('6', ['move', 'idcard', 'birth']),
  ctr('7', ['birth', 'move'], { backupCounter: '6' }),
  ctr('8', ['residence', 'proof']),
  ctr('9', ['residence', 'idcard']),
  ctr('10', ['proof', 'consult']),
  ctr('11', ['consult', 'proof']),
  ctr('12', ['idcard', 'residence', 'proof'], { backupCounter: '2' }),
];

function openEngine(name: string, clock: { now(): number }, synchronous: 'FULL' | 'OFF' = 'FULL') {
  const store = openHallStore(join(dir, name));
  if (synchronous === 'OFF') store.db.pragma('synchronous = OFF');
  const engine = new QueueEngine({
    store,
    services: SERVICES,
    counters: COUNTERS,
    rules: { ...DEFAULT_RULES, numberWidth: 4 },
    clock,
    secret: 'bench-secret',
  });
  return { store, engine };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// ---- 1. operations per second
{
  let t = Date.parse('2025-03-03T08:30:00+08:00');
  const { store, engine } = openEngine('ops.db', { now: () => t });
  console.log(
    `store: ${join(dir, 'ops.db')}  journal_mode=${store.db.pragma('journal_mode', { simple: true })}  synchronous=${store.db.pragma('synchronous', { simple: true })} (2 = FULL)`,
  );
  for (const c of COUNTERS) engine.open(c.id);
  const N = sized(2000, 300);
  let t0 = performance.now();
  for (let i = 0; i < N; i++) {
    engine.issue({ service: SERVICES[i % SERVICES.length]!.id });
    t += 100;
  }
  let ms = performance.now() - t0;
  console.log(`issue:                 ${fmt((N / ms) * 1000)} ops/s  (${N} tickets in ${ms.toFixed(0)} ms, ${(ms / N).toFixed(3)} ms/op)`);

  t0 = performance.now();
  let calls = 0;
  for (let i = 0; i < N; i++) {
    const c = COUNTERS[i % COUNTERS.length]!.id;
    if (engine.callNext(c)) {
      engine.finish(c);
      calls += 2;
    }
    t += 100;
  }
  ms = performance.now() - t0;
  console.log(
    `call-next + finish:    ${fmt((calls / ms) * 1000)} ops/s  (${calls} actions in ${ms.toFixed(0)} ms, ${(ms / calls).toFixed(3)} ms/op, ${fmt(N)} waiting at start)`,
  );

  t0 = performance.now();
  for (let i = 0; i < 1000; i++) engine.snapshot();
  ms = performance.now() - t0;
  console.log(`snapshot (read only):  ${fmt((1000 / ms) * 1000)} ops/s`);
  store.close();
}

// ---- 2. replay of a busy day
function replayDay(synchronous: 'FULL' | 'OFF') {
  const random = rng(20250303);
  const open = Date.parse('2025-03-03T08:30:00+08:00');
  const close = Date.parse('2025-03-03T17:30:00+08:00');
  let now = open;
  const file = `day-${synchronous}.db`;
  const { store, engine } = openEngine(file, { now: () => now }, synchronous);
  const TICKETS = sized(3000, 400);
  // Arrivals over the day with a morning peak; channel mix: 70% normal, 15% senior, 3% green, 12% appointment.
  const arrivals: { at: number; service: string; channel: Channel }[] = [];
  const weights = [0.35, 0.15, 0.1, 0.15, 0.15, 0.1];
  for (let i = 0; i < TICKETS; i++) {
    const u = random();
    const at = open + Math.floor((u < 0.5 ? u * 0.6 : 0.3 + (u - 0.5) * 1.4) * (close - open - 3600_000));
    let r = random();
    let s = 0;
    while (s < weights.length - 1 && r > weights[s]!) r -= weights[s++]!;
    const c = random();
    const channel: Channel = c < 0.7 ? 'normal' : c < 0.85 ? 'senior' : c < 0.88 ? 'green' : 'appointment';
    arrivals.push({ at, service: SERVICES[s]!.id, channel });
  }
  arrivals.sort((a, b) => a.at - b.at);
  const appointments = arrivals
    .map((a, i) => ({ a, i }))
    .filter(({ a }) => a.channel === 'appointment')
    .map(({ a, i }) => {
      const slotStart = a.at - 15 * 60_000 + Math.floor(random() * 30) * 60_000;
      return { code: `YY${String(i).padStart(5, '0')}`, service: a.service, slotStart, slotEnd: slotStart + 30 * 60_000, idx: i };
    });
  const codeByIdx = new Map(appointments.map((p) => [p.idx, p.code]));

  const started = performance.now();
  let ops = 0;
  engine.importAppointments(appointments.map(({ code, service, slotStart, slotEnd }) => ({ code, service, slotStart, slotEnd })));
  ops++;
  for (const c of COUNTERS) {
    engine.open(c.id, `staff-${c.id}`);
    ops++;
  }
  const busyUntil = new Map(COUNTERS.map((c) => [c.id, 0]));
  const expected = new Map(SERVICES.map((s) => [s.id, s.expectedMinutes * 60_000]));
  let next = 0;
  let served = 0;
  let paused = false;
  for (now = open; now <= close + 4 * 3600_000; now += 30_000) {
    while (next < arrivals.length && arrivals[next]!.at <= now) {
      const a = arrivals[next]!;
      const code = codeByIdx.get(next);
      if (code) engine.checkInAppointment(code);
      else engine.issue({ service: a.service, channel: a.channel, issuedBy: a.channel === 'green' ? 'guide' : 'kiosk' });
      ops++;
      next++;
    }
    // One lunch pause on counter 5 so AB岗 takes its queue for an hour.
    const lunch = now >= open + 3.5 * 3600_000 && now < open + 4.5 * 3600_000;
    if (lunch !== paused && !busyUntil.get('5')) {
      if (lunch) engine.pause('5', '午休');
      else engine.resume('5');
      paused = lunch;
      ops++;
    }
    for (const c of COUNTERS) {
      const until = busyUntil.get(c.id)!;
      if (until > now) continue;
      if (until > 0) {
        engine.finish(c.id);
        engine.rate({ counter: c.id, level: random() < 0.95 ? 5 : 2, reasons: ['efficiency'], source: 'pad' });
        ops += 2;
        served++;
        busyUntil.set(c.id, 0);
      }
      if (c.id === '5' && paused) continue;
      const t = engine.callNext(c.id);
      ops++;
      if (!t) continue;
      engine.start(c.id);
      ops++;
      const mean = expected.get(t.service)!;
      // Handling times are scaled so 12 counters can clear 3,000 tickets in one day (≈2.4 min mean).
      busyUntil.set(c.id, now + Math.max(60_000, Math.round(mean * (0.15 + random() * 0.3))));
    }
    if (
      next >= arrivals.length &&
      [...busyUntil.values()].every((u) => u === 0) &&
      engine.snapshot().services.every((s) => s.waiting === 0)
    )
      break;
  }
  const wall = performance.now() - started;
  const snap = engine.snapshot();
  const waiting = snap.services.reduce((n, s) => n + s.waiting, 0);
  console.log(
    `busy day (sync=${synchronous.padEnd(4)}): ${TICKETS} tickets (${appointments.length} appointments), ${COUNTERS.length} counters, ${fmt(ops)} engine actions in ${(wall / 1000).toFixed(2)} s` +
      ` → ${fmt((ops / wall) * 1000)} actions/s; served ${served}, still waiting ${waiting}, events ${snap.seq}, last action at ${new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' }).format(now)} hall time`,
  );
  const t0 = performance.now();
  store.close();
  const reopened = openEngine(file, { now: () => now });
  console.log(`restart after the day: ${(performance.now() - t0).toFixed(0)} ms to reopen and rebuild the engine state`);
  reopened.store.close();
}

replayDay('FULL');
// Same day without fsync: what the engine itself costs, apart from the disk.
replayDay('OFF');
