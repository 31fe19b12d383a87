import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTS, NoticeV1, type SyncRecord } from '../../contracts/records.js';
import { startHub } from '../../hub/server.js';
import { HEADER_HALL, HEADER_SIGNATURE, HEADER_TIME, sign, signedHeaders } from '../../contracts/sign.js';
import { postBatch } from '../../agent/sync/post.js';
import { count, type HubHarness, loginCookie, registerHalls, SECRET_A, serviceRecord, startHubHarness } from './harness.js';

let h: HubHarness;
const up = () => ({ url: h.hub.url, hallId: 'HALL-A', secret: SECRET_A, timeoutMs: 10_000 });
const DAY = '2026-11-20';
const AT = Date.parse('2026-11-20T03:00:00Z');

beforeAll(async () => {
  h = await startHubHarness();
  await registerHalls(h.hub);
});
afterAll(async () => h?.stop());

describe('hub ingest', () => {
  it('stores each record once: a resent batch answers duplicate and adds nothing', async () => {
    const recs = [serviceRecord('service:t1', DAY, AT), serviceRecord('service:t2', DAY, AT + 1000)];
    const first = await postBatch(up(), recs);
    expect(first).toEqual({ kind: 'ok', ack: { results: recs.map((r) => ({ key: r.key, status: 'stored' })) } });
    const again = await postBatch(up(), recs);
    expect(again.kind === 'ok' && again.ack.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(await count(h.hub, "SELECT count(*) AS n FROM records WHERE hall_id = 'HALL-A' AND key LIKE 'service:t%'")).toBe(2);
    // The month's partition holds them, not the default one.
    expect(await count(h.hub, 'SELECT count(*) AS n FROM records_2026_11')).toBeGreaterThanOrEqual(2);
  });

  it('refuses and counts a bad signature, an unknown hall, a stale timestamp and a replayed batch', async () => {
    const body = JSON.stringify({ batchId: 'batch-0001-x', records: [serviceRecord('service:evil', DAY, AT)] });
    const post = (headers: Record<string, string>, b = body) => fetch(`${h.hub.url}/api/v1/ingest`, { method: 'POST', headers, body: b });

    const forged = signedHeaders('not-the-secret-of-hall-a', 'HALL-A', body);
    expect((await post(forged)).status).toBe(401);
    const tampered = signedHeaders(SECRET_A, 'HALL-A', body);
    expect((await post(tampered, body.replace('A1001', 'A1002'))).status).toBe(401);
    expect((await post(signedHeaders(SECRET_A, 'NO-SUCH-HALL', body))).status).toBe(401);
    const old = Date.now() - 10 * 60_000;
    expect(
      (
        await post({
          'content-type': 'application/json',
          [HEADER_HALL]: 'HALL-A',
          [HEADER_TIME]: String(old),
          [HEADER_SIGNATURE]: sign(SECRET_A, 'HALL-A', old, body),
        })
      ).status,
    ).toBe(401);
    expect((await post({ 'content-type': 'application/json' })).status).toBe(401);

    const good = signedHeaders(SECRET_A, 'HALL-A', body);
    expect((await post(good)).status).toBe(200);
    const replay = await post(good);
    expect(replay.status).toBe(409);
    expect((await replay.json()).error.code).toBe('replayed');

    const counts = Object.fromEntries(
      (await h.hub.pool.query('SELECT reason, sum(count)::int AS n FROM rejections GROUP BY reason')).rows.map((r) => [r.reason, r.n]),
    );
    expect(counts).toMatchObject({ bad_signature: 2, unknown_hall: 1, stale_timestamp: 1, unsigned: 1, replayed: 1 });
    expect(await count(h.hub, "SELECT count(*) AS n FROM records WHERE key = 'service:evil'")).toBe(1);
  });

  it('rejects a record that breaks its contract with the reason and stores the rest', async () => {
    const bad = serviceRecord('service:bad', DAY, AT, { channel: 'vip' });
    const personal = {
      ...serviceRecord('service:pii', DAY, AT),
      data: { ...serviceRecord('x', DAY, AT).data, idNumber: '340104199001011234' },
    } as never;
    const out = await postBatch(up(), [serviceRecord('service:ok', DAY, AT), bad, personal]);
    expect(out.kind).toBe('ok');
    const results = out.kind === 'ok' ? out.ack.results : [];
    expect(results.find((r) => r.key === 'service:ok')?.status).toBe('stored');
    expect(results.find((r) => r.key === 'service:bad')).toMatchObject({ status: 'rejected', reason: expect.stringContaining('/channel') });
    // Fields outside the contract (here an ID number) are refused, never stored.
    expect(results.find((r) => r.key === 'service:pii')?.status).toBe('rejected');
    expect(await count(h.hub, "SELECT count(*) AS n FROM records WHERE key IN ('service:bad', 'service:pii')")).toBe(0);
  });

  it('keeps the supervision pages behind a login and the live waits public', async () => {
    const anon = await fetch(`${h.hub.url}/`, { redirect: 'manual' });
    expect(anon.status).toBe(302);
    expect(anon.headers.get('location')).toMatch(/^\/login/);
    expect((await fetch(`${h.hub.url}/reports/monthly?format=csv`)).status).toBe(401);
    const wrong = await fetch(`${h.hub.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=province&password=nope',
      redirect: 'manual',
    });
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const cookie = await loginCookie(h.hub.url, 'province', 'province-pass');
    const home = await fetch(`${h.hub.url}/`, { headers: { cookie } });
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain('甲大厅');
    expect(html).toContain('乙大厅');
    // 乙大厅 has never reported: flagged.
    expect(html).toMatch(/同步延迟的大厅[^<]*乙大厅/);
    // A city supervisor sees only that city.
    const hefei = await loginCookie(h.hub.url, 'hefei', 'hefei-pass');
    const city = await (await fetch(`${h.hub.url}/`, { headers: { cookie: hefei } })).text();
    expect(city).toContain('甲大厅');
    expect(city).not.toContain('乙大厅');
    expect((await fetch(`${h.hub.url}/halls/HALL-B`, { headers: { cookie: hefei } })).status).toBe(404);
    // Passwords are stored hashed.
    const stored = (await h.hub.pool.query("SELECT password_hash FROM supervisors WHERE username = 'province'")).rows[0].password_hash;
    expect(stored).toMatch(/^scrypt\$/);
    expect(stored).not.toContain('province-pass');

    expect((await fetch(`${h.hub.url}/api/v1/live-wait`)).status).toBe(200);
    expect((await fetch(`${h.hub.url}/live`)).status).toBe(200);
  });

  it('answers bad input with 4xx, never 500', async () => {
    const statuses: number[] = [];
    for (const body of ['{', '[]', '{"batchId":1}', 'x'.repeat(100)]) {
      statuses.push(
        (await fetch(`${h.hub.url}/api/v1/ingest`, { method: 'POST', headers: signedHeaders(SECRET_A, 'HALL-A', body), body })).status,
      );
    }
    statuses.push((await fetch(`${h.hub.url}/reports/monthly?month=2026-13`)).status);
    statuses.push(
      (
        await fetch(`${h.hub.url}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: '%%%',
          redirect: 'manual',
        })
      ).status,
    );
    for (const s of statuses) expect(s).toBeGreaterThanOrEqual(300);
    for (const s of statuses) expect(s).toBeLessThan(500);
  });
});

describe('hub ingest under many halls at once', () => {
  it('answers every hall for its own batch when batches are written together, and a bad day fails only its record', async () => {
    const halls = Array.from({ length: 40 }, (_, i) => `GROUP-${i}`);
    for (const id of halls)
      await h.hub.pool.query("INSERT INTO halls (id, name, city, secret) VALUES ($1, $1, '合肥市', $2)", [id, `${id}-secret-0123456789`]);
    const upFor = (id: string) => ({ url: h.hub.url, hallId: id, secret: `${id}-secret-0123456789`, timeoutMs: 30_000 });
    // Two batches per hall in flight at once, the second overlapping the first by one key.
    const outs = await Promise.all(
      halls.flatMap((id, i) => [
        postBatch(upFor(id), [serviceRecord(`service:${id}:1`, DAY, AT + i), serviceRecord(`service:${id}:2`, DAY, AT + i)]),
        postBatch(upFor(id), [
          serviceRecord(`service:${id}:2`, DAY, AT + i),
          serviceRecord(`service:${id}:3`, DAY, AT + i),
          ...(i === 7 ? [{ ...serviceRecord(`service:${id}:bad-day`, '2026-02-30', AT + i) }] : []),
        ]),
      ]),
    );
    for (const o of outs) expect(o.kind).toBe('ok');
    for (const [i, id] of halls.entries()) {
      const [a, b] = [outs[2 * i]!, outs[2 * i + 1]!];
      const statuses = [...(a.kind === 'ok' ? a.ack.results : []), ...(b.kind === 'ok' ? b.ack.results : [])];
      // key 2 was sent twice: stored by exactly one of the two batches
      expect(
        statuses
          .filter((r) => r.key === `service:${id}:2`)
          .map((r) => r.status)
          .sort(),
      ).toEqual(['duplicate', 'stored']);
      expect(
        statuses
          .filter((r) => r.status === 'stored')
          .map((r) => r.key)
          .sort(),
      ).toEqual([1, 2, 3].map((k) => `service:${id}:${k}`));
      if (i === 7)
        expect(statuses.find((r) => r.key.endsWith('bad-day'))).toMatchObject({
          status: 'rejected',
          reason: expect.stringContaining('calendar day'),
        });
    }
    expect(await count(h.hub, "SELECT count(*) AS n FROM records WHERE hall_id LIKE 'GROUP-%'")).toBe(halls.length * 3);
    const seen = await h.hub.pool.query("SELECT count(*)::int AS n FROM halls WHERE id LIKE 'GROUP-%' AND last_seen_at IS NOT NULL");
    expect(seen.rows[0].n).toBe(halls.length);
  });
});

describe('hub database connections', () => {
  it('survives the server dropping a connection the hub has checked out (no crash), and the pool keeps serving', async () => {
    const { withClient } = await import('../../hub/db/client.js');
    const uncaught: Error[] = [];
    const onUncaught = (err: Error) => uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const outcome = await withClient(h.hub.pool, async (client) => {
        const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
        // what a PostgreSQL restart does to an open connection, while this client sits between queries
        await h.hub.pool.query('SELECT pg_terminate_backend($1)', [pid]);
        await new Promise((r) => setTimeout(r, 300));
        return client.query('SELECT 1').then(
          () => 'answered',
          (err: Error) => `refused: ${err.message}`,
        );
      }).catch((err: Error) => `thrown: ${err.message}`);
      expect(outcome).toMatch(/^refused|^thrown/);
      expect(uncaught).toEqual([]);
      expect((await h.hub.pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
  });
});

describe('contract versions side by side', () => {
  it('reads v1 and v2 of a kind in one batch, stores both in the v2 shape, and names the versions it reads when refusing v3', async () => {
    // A v2 of the notice that adds the 办件编号 it concerns; v1 halls do not know it (null).
    const NoticeV2 = Type.Object(
      { ...NoticeV1.properties, caseNumber: Type.Union([Type.String({ maxLength: 40 }), Type.Null()]) },
      {
        additionalProperties: false,
      },
    );
    const contracts = {
      ...CONTRACTS,
      notice: { v: 2, schema: NoticeV2, older: [{ v: 1, schema: NoticeV1, upgrade: (d: object) => ({ ...d, caseNumber: null }) }] },
    };
    const hub2 = await startHub({ databaseUrl: h.pg.url, port: 0, contracts });
    try {
      const notice = (key: string, v: number, extra: object = {}) => ({
        key,
        kind: 'notice' as const,
        v,
        at: AT,
        day: DAY,
        data: {
          id: key,
          day: DAY,
          at: AT,
          counter: '1',
          service: 'id-card',
          ticketId: null,
          staffId: 'A1001',
          missingMaterialIds: ['photo'],
          ...extra,
        },
      });
      const batch = [
        notice('notice:v1-hall', 1),
        notice('notice:v2-hall', 2, { caseNumber: 'BJ-7' }),
        notice('notice:v3-hall', 3, { caseNumber: 'BJ-8' }),
        // a v1 record carrying the v2 field is not a v1 record
        notice('notice:v1-with-v2-field', 1, { caseNumber: 'BJ-9' }),
      ] as SyncRecord[];
      const out = await postBatch({ ...up(), url: hub2.url }, batch);
      expect(out.kind).toBe('ok');
      const byKey = new Map((out.kind === 'ok' ? out.ack.results : []).map((r) => [r.key, r]));
      expect(byKey.get('notice:v1-hall')?.status).toBe('stored');
      expect(byKey.get('notice:v2-hall')?.status).toBe('stored');
      expect(byKey.get('notice:v3-hall')).toMatchObject({
        status: 'rejected',
        reason: 'notice v3 is not supported (this hub reads v1, v2)',
      });
      expect(byKey.get('notice:v1-with-v2-field')).toMatchObject({ status: 'rejected', reason: expect.stringContaining('notice v1') });
      const rows = await h.hub.pool.query(
        `SELECT key, v, data->>'caseNumber' AS "caseNumber", data ? 'caseNumber' AS has FROM records WHERE key LIKE 'notice:v%' ORDER BY key`,
      );
      expect(rows.rows).toEqual([
        { key: 'notice:v1-hall', v: 2, caseNumber: null, has: true },
        { key: 'notice:v2-hall', v: 2, caseNumber: 'BJ-7', has: true },
      ]);
      // The hub with today's table still reads the v1 a hall sends now.
      const today = await postBatch(up(), [notice('notice:v1-today', 1)] as SyncRecord[]);
      expect(today.kind === 'ok' && today.ack.results[0]?.status).toBe('stored');
    } finally {
      await hub2.close();
    }
  });
});
