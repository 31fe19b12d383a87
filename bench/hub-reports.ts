// The hub's supervision pages at province scale (issue 18): 1,500 halls × one 30-day cycle of
// per-hall-day figure rows (hall_days) plus their cases, generated inside PostgreSQL with
// generate_series, then every page and export timed over HTTP as a supervisor sees it.
// The raw records (27.9 M rows in the issue) are NOT loaded: no page reads them any more; only the
// hall_days rows the daily summaries fill and the cases table. See docs/bench.md.
// PostgreSQL: HUB_DATABASE_URL if set (an empty database), else a server in a temp dir.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { COUNT_KEYS, columnOf, WAIT_HIST_COLUMNS } from '../common/figures.js';
import { embeddedBinDir, type LocalPostgres, startLocalPostgres } from '../hub/db/local-server.js';
import { addSupervisor, login } from '../hub/registry.js';
import { caseFigures } from '../hub/case-figures.js';
import { toCsv, toXlsx } from '../hub/export.js';
import { cycleMonthOf, cycleOf, monthlyReport, todayIn } from '../hub/reports.js';
import { startHub } from '../hub/server.js';

const HALLS = Number(process.env.HALLQ_BENCH_HALLS ?? 1500);
const CITIES = [
  '合肥市',
  '芜湖市',
  '蚌埠市',
  '淮南市',
  '马鞍山市',
  '淮北市',
  '铜陵市',
  '安庆市',
  '黄山市',
  '滁州市',
  '阜阳市',
  '宿州市',
  '六安市',
  '亳州市',
  '池州市',
  '宣城市',
];
const RUNS = 5;

/** a pseudo-random 0 … n-1 from SQL values, so the load needs no client round trips */
const r = (n: number, salt: number) => `(abs(hashtext(h.id || d::text || '${salt}')) % ${n})`;

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'hallq-bench-hub-'));
  chmodSync(tmp, 0o755); // the PostgreSQL user (not root) must reach its data folder inside
  let local: LocalPostgres | null = null;
  let databaseUrl = process.env.HUB_DATABASE_URL;
  if (!databaseUrl) {
    const bin = (await embeddedBinDir()) ?? '/usr/lib/postgresql/15/bin';
    local = await startLocalPostgres({ binDir: bin, dataDir: join(tmp, 'pg'), settings: { shared_buffers: '256MB', work_mem: '16MB' } });
    databaseUrl = local.url;
  }
  const hub = await startHub({ databaseUrl, port: 0, poolSize: 8 });
  try {
    const today = todayIn();
    const { from, to } = cycleOf(cycleMonthOf(today));
    const t0 = performance.now();
    await hub.pool.query(
      `INSERT INTO halls (id, name, city, secret, last_seen_at)
       SELECT 'H' || lpad(i::text, 4, '0'), '大厅' || i, ($2::text[])[1 + i % $3], 'bench-secret-' || i, now()
       FROM generate_series(1, $1) i`,
      [HALLS, CITIES, CITIES.length],
    );
    // Served ≈ 60–160 a day, ratings for most, waits mostly under 30 minutes.
    const counts: Record<string, string> = {
      issued: `100 + ${r(80, 1)}`,
      served: `80 + ${r(80, 2)}`,
      no_show: r(6, 3),
      cancelled: r(3, 4),
      unserved_at_close: r(4, 5),
      wait_count: `80 + ${r(80, 2)}`,
      wait_sum_ms: `(80 + ${r(80, 2)}) * (300000 + ${r(600000, 6)})`,
      handling_count: `80 + ${r(80, 2)}`,
      handling_sum_ms: `(80 + ${r(80, 2)}) * (400000 + ${r(300000, 7)})`,
      ch_normal: `70 + ${r(60, 8)}`,
      ch_senior: r(20, 9),
      ch_green: r(3, 10),
      ch_appointment: r(30, 11),
      l_1: r(2, 12),
      l_2: r(3, 13),
      l_3: r(10, 14),
      l_4: `10 + ${r(20, 15)}`,
      l_5: `40 + ${r(40, 16)}`,
      not_rated: r(15, 17),
      notices: r(10, 18),
      accepted_with_missing: r(4, 19),
      unresolved_opened: r(2, 20),
      rect_opened: r(3, 21),
    };
    const cols = [...COUNT_KEYS.map(columnOf), 'wait_max_ms', ...WAIT_HIST_COLUMNS];
    const exprs = cols.map((c) => {
      if (counts[c]) return counts[c];
      if (c === 'wait_max_ms') return `3600000 + ${r(7200000, 22)}`;
      const b = WAIT_HIST_COLUMNS.indexOf(c);
      if (b >= 0) return b < 40 ? `${r(8, 100 + b)}` : b < 45 ? r(2, 100 + b) : '0';
      return '0';
    });
    await hub.pool.query(
      `INSERT INTO hall_days (hall_id, day, revision, summary_key, ${cols.join(', ')})
       SELECT h.id, d::date, 1 + (${r(20, 23)} = 0)::int, 'daily:' || d::date, ${exprs.join(', ')}
       FROM halls h, generate_series($1::date, $2::date, interval '1 day') d`,
      [from, to],
    );
    // ≈ 30 cases per hall and cycle: 整改, 办不成事, campaign cases and 容缺, some closed, some overdue.
    await hub.pool.query(
      `INSERT INTO cases (hall_id, case_id, kind, opened_at, opened_day, due_day, state, closed_at, closed_day, counter, staff_id,
                          service, level, updated_at, escalated_day, satisfied, callback_day)
       SELECT h.id, 'C-' || h.id || '-' || k, kinds[1 + k % 7], d, d::date, d::date + 21,
              CASE WHEN k % 3 = 0 THEN 'open' ELSE 'closed' END,
              CASE WHEN k % 3 = 0 THEN NULL ELSE d + interval '5 days' END,
              CASE WHEN k % 3 = 0 THEN NULL ELSE d::date + 5 + (k % 5) * 5 END,
              '1', 'A100' || (k % 9), 'id-card', CASE WHEN k % 7 = 0 THEN 1 + k % 2 END, d,
              CASE WHEN kinds[1 + k % 7] = 'petition' AND k % 2 = 0 THEN d::date + 1 END,
              CASE WHEN kinds[1 + k % 7] IN ('homeVisit', 'revisit') THEN k % 2 = 0 END,
              CASE WHEN kinds[1 + k % 7] IN ('homeVisit', 'revisit') THEN d::date + 2 END
       FROM halls h, generate_series(0, 29) k,
            LATERAL (SELECT $1::date + (k % 30) * interval '1 day' AS d,
                     ARRAY['rectification', 'unresolved', 'homeVisit', 'petition', 'selfCheck', 'revisit', 'acceptedWithMissing'] AS kinds) x`,
      [from],
    );
    await hub.pool.query('ANALYZE');
    const n = (await hub.pool.query('SELECT count(*)::int AS n FROM hall_days')).rows[0].n as number;
    const c = (await hub.pool.query('SELECT count(*)::int AS n FROM cases')).rows[0].n as number;
    console.log(
      `loaded ${HALLS} halls × ${from} … ${to}: ${n} hall-day rows, ${c} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s (no raw records)`,
    );

    await addSupervisor(hub.pool, { username: 'province', password: 'bench-pass-province', city: null });
    await addSupervisor(hub.pool, { username: 'hefei', password: 'bench-pass-hefei', city: CITIES[0]! });
    const cookie = async (u: string, p: string) => {
      const s = await login(hub.pool, u, p);
      if (!s) throw new Error(`login ${u} failed`);
      return `hub_session=${encodeURIComponent(s)}`;
    };
    const province = await cookie('province', 'bench-pass-province');
    const city = await cookie('hefei', 'bench-pass-hefei');
    const pages: { name: string; path: string; who: string; target: number }[] = [
      { name: 'overview (province)', path: '/', who: province, target: 1000 },
      { name: 'monthly report (province)', path: '/reports/monthly', who: province, target: 1000 },
      { name: 'monthly CSV (province)', path: '/reports/monthly?format=csv', who: province, target: 1000 },
      { name: 'monthly XLSX (province)', path: '/reports/monthly?format=xlsx', who: province, target: 1000 },
      { name: 'monthly JSON (province)', path: '/reports/monthly?format=json', who: province, target: 1000 },
      { name: "a city's overview", path: '/', who: city, target: 1000 },
      { name: "a city's monthly report", path: '/reports/monthly', who: city, target: 1000 },
      { name: "a city's XLSX", path: '/reports/monthly?format=xlsx', who: city, target: 1000 },
      { name: "one hall's page", path: '/halls/H0017', who: province, target: 200 },
      { name: 'cases page (province)', path: '/cases', who: province, target: 1000 },
    ];
    // where a page's time goes: the figures query, the case figures, the XLSX writer
    const month = cycleMonthOf(today);
    for (let i = 0; i < 3; i++) {
      const a = performance.now();
      const rep = await monthlyReport(hub.pool, month, { today });
      const b = performance.now();
      await caseFigures(hub.pool, from, to, today);
      const c2 = performance.now();
      toCsv(rep.rows);
      const d = performance.now();
      await toXlsx(rep.rows, 'bench');
      const e = performance.now();
      console.log(
        `parts (province): monthlyReport ${(b - a).toFixed(0)} ms (case figures inside it ${(c2 - b).toFixed(0)} ms), CSV ${(d - c2).toFixed(0)} ms, XLSX ${(e - d).toFixed(0)} ms`,
      );
    }
    let over = 0;
    for (const p of pages) {
      const times: number[] = [];
      let status = 0;
      let bytes = 0;
      for (let i = 0; i < RUNS; i++) {
        const s = performance.now();
        const res = await fetch(`${hub.url}${p.path}`, { headers: { cookie: p.who }, redirect: 'manual' });
        bytes = (await res.arrayBuffer()).byteLength;
        status = res.status;
        times.push(performance.now() - s);
      }
      const first = times[0]!;
      const warm = [...times.slice(1)].sort((a, b) => a - b)[Math.floor((times.length - 1) / 2)]!;
      if (status !== 200 || Math.max(first, warm) > p.target) over++;
      console.log(
        `${p.name.padEnd(28)} first ${first.toFixed(0).padStart(5)} ms, warm median ${warm.toFixed(0).padStart(5)} ms` +
          ` (target ≤ ${p.target} ms) · HTTP ${status} · ${(bytes / 1024).toFixed(0)} KB`,
      );
    }
    console.log(over === 0 ? 'every page within its target' : `${over} page(s) over target or not 200`);
  } finally {
    await hub.close().catch(() => {});
    await local?.stop('fast').catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
