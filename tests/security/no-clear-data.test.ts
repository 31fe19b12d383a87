import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/load.js';
import { type RunningHall, startHall } from '../../agent/hall.js';
import { maskIdsInText } from '../../agent/security/mask.js';
import { idCheckChar } from '../../drivers/protocols/idcard.js';
import { api, managerToken, terminalToken } from '../helpers/agent.js';
import { REAL_PINS, realHallYaml } from './helpers.js';

// Findings: free text typed by citizens kept an ID number in clear in the database and the outbox; the
// database kept the 4+4 mask. After a flow with ID numbers, no byte of the database, its WAL, the log, the
// outbox or any socket event may hold an ID number in clear, or a PIN.

const ID = (s: string) => s + idCheckChar(s);
const IDS = [ID('34010419800101123'), ID('11010519491231002'), ID('44030619930615771')];
const NEW_PIN = '607182';
const PINS = [REAL_PINS.staff, REAL_PINS.guide, REAL_PINS.manager, NEW_PIN];

const dir = mkdtempSync(join(tmpdir(), 'hallq-grep-'));
const logFile = join(dir, 'agent.log');
let hall: RunningHall;
const captured: unknown[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  const config = parseConfig(realHallYaml({ simulator: true }), 'hall.yaml', {});
  const logger = pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true }));
  hall = await startHall(config, { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), logger });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await hall?.close();
  rmSync(dir, { recursive: true, force: true });
});

function listen(ns: string, auth: Record<string, string>, query: Record<string, string> = {}) {
  const s = io(hall.url + ns, { transports: ['websocket'], auth, query });
  s.onAny((event, data) => captured.push({ ns, event, data }));
  sockets.push(s);
  return new Promise((r) => s.once('snapshot', r));
}

describe('free-text masking', () => {
  it('masks 18-character numbers with a valid GB 11643 check character, and leaves other numbers alone', () => {
    expect(maskIdsInText(`本人${IDS[0]}，电话13800000000`)).toBe(`本人**************${IDS[0]?.slice(-4)}，电话13800000000`);
    const wrongCheck = `${IDS[0]?.slice(0, 17)}${IDS[0]?.endsWith('0') ? '1' : '0'}`;
    expect(maskIdsInText(`单号 ${wrongCheck}`)).toBe(`单号 ${wrongCheck}`);
    expect(maskIdsInText(`x${IDS[1]?.toLowerCase()}`)).toBe(`x${IDS[1]?.toLowerCase()}`); // glued to letters: not a standalone number
  });
});

describe('after a flow with ID numbers and PINs', () => {
  it('the database, WAL, log, outbox and captured socket events hold no ID number in clear and no PIN', async () => {
    const url = hall.url;
    const manager = (await api(url, 'POST', '/api/v1/auth/manager', { pin: REAL_PINS.manager })).body.token;
    const guide = (await api(url, 'POST', '/api/v1/auth/guide', { pin: REAL_PINS.guide })).body.token;
    await api(url, 'POST', '/api/v1/auth/manager', { pin: REAL_PINS.staff }); // a wrong PIN gets logged nowhere either
    const staff = (await api(url, 'POST', '/api/v1/auth/staff', { counter: '1', staffId: 'A1001', pin: REAL_PINS.staff })).body.token;
    await managerToken(url, REAL_PINS.manager); // the pairing helper signs in with this hall's manager PIN
    const kiosk = await terminalToken(url, 'kiosk-1');
    await listen('/board', { token: manager });
    await listen('/counter', { token: staff }, { counter: '1' });
    await listen('/kiosk', { terminal: kiosk });
    await listen('/display', {});
    await listen('/pad', { terminal: await terminalToken(url, 'pad-1') });

    await api(url, 'POST', '/api/v1/counters/1/open', {}, staff);
    expect((await api(url, 'POST', '/api/v1/tickets', { service: 'id-card', idNumber: IDS[0] })).status).toBe(201);
    // a card laid on the kiosk's reader
    const read = new Promise<any>((r) => sockets[2]?.once('idcard', r));
    await api(url, 'POST', '/api/v1/sim/id-reader-1', { type: 'idcard', number: IDS[1] }, manager);
    const card = await read;
    expect((await api(url, 'POST', '/api/v1/tickets', { service: 'temp-id-card', idToken: card.token })).status).toBe(201);
    await api(url, 'POST', '/api/v1/tickets', { service: 'id-card', channel: 'green', idNumber: IDS[2] }, guide);
    await api(url, 'POST', '/api/v1/reports/unresolved', {
      description: `户口迁移办不成，我的身份证号${IDS[2]}`,
      contact: `身份证${IDS[0]}`,
    });
    await api(url, 'POST', '/api/v1/counters/1/call-next', {}, staff);
    await api(url, 'POST', '/api/v1/counters/1/start', {}, staff);
    await api(url, 'POST', '/api/v1/counters/1/finish', {}, staff);
    await api(url, 'POST', '/api/v1/counters/1/rating', { level: 1, reasons: ['attitude'], comment: `态度差 ${IDS[1]}` });
    await api(url, 'POST', '/api/v1/counters/1/pause', { reason: `核对${IDS[0]}` }, staff);
    const cases = (await api(url, 'GET', '/api/v1/cases?state=all', undefined, manager)).body.cases as { id: string }[];
    expect(cases.length).toBeGreaterThanOrEqual(2);
    for (const c of cases) await api(url, 'POST', `/api/v1/cases/${c.id}/callback`, { note: `已回访 ${IDS[2]}`, satisfied: true }, manager);
    await api(url, 'POST', '/api/v1/staff', { id: 'A3001', name: '新警员', pin: REAL_PINS.staff }, manager);
    await api(url, 'POST', '/api/v1/staff/A3001/pin', { newPin: NEW_PIN }, manager);
    await api(url, 'POST', '/api/v1/auth/staff', { counter: '2', staffId: 'A3001', pin: NEW_PIN });
    await new Promise((r) => setTimeout(r, 300));

    const dataDir = join(dir, 'data');
    const files = readdirSync(dataDir).filter((f) => f.startsWith('hall.db'));
    expect(files).toContain('hall.db-wal');
    const outbox = hall.ctx.auth.store.db.prepare('SELECT kind, payload FROM outbox').all();
    expect(outbox.length).toBeGreaterThan(0);
    const sources: Record<string, string> = {
      ...Object.fromEntries(files.map((f) => [f, readFileSync(join(dataDir, f)).toString('latin1')])),
      log: readFileSync(logFile, 'utf8'),
      outbox: JSON.stringify(outbox),
      sockets: JSON.stringify(captured),
    };
    const found: string[] = [];
    for (const [where, text] of Object.entries(sources)) {
      for (const id of IDS) if (text.includes(id) || text.includes(id.toLowerCase())) found.push(`${where}: ID ${id}`);
      for (const pin of PINS) if (text.includes(pin)) found.push(`${where}: PIN ${pin}`);
      // the stored mask keeps only the last four characters
      for (const id of IDS) if (text.includes(`${id.slice(0, 4)}**`)) found.push(`${where}: 4+4 mask of ${id}`);
    }
    expect(found).toEqual([]);
    expect(captured.length).toBeGreaterThan(20);
    expect(sources.outbox).toContain('**************');
  });
});
