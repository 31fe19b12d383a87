// The whole path of a card read on the SAM protocol, with real parts: the agent (startHall, SQLite
// file, HTTP + socket.io) drives an `idcard-sam` reader through the real `serialport` on a socat pty;
// the virtual SAM reader answers on the far end. The kiosk page's socket gets the masked number and
// the masked name with a one-time token — never the clear ones — and neither the log, the socket
// traffic nor the database file holds the number or the name.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../../common/gb11643.js';
import { parseConfig } from '../../../agent/config/load.js';
import { type RunningHall, startHall } from '../../../agent/hall.js';
import { type PtyAttachment, attachToPty } from '../../../drivers/sim/pty.js';
import { VirtualSamReader } from '../../../drivers/sim/sam-reader.js';
import { SocatPair } from '../../../drivers/sim/socat.js';
import { api, terminalToken } from '../../helpers/agent.js';
import { waitFor } from './helpers.js';

const ID17 = '34010419850615202';
const CARD = { idNumber: ID17 + idCheckChar(ID17), name: '欧阳娜娜', sex: '2', nation: '01' };
const READER = '{ id: id-reader-1, kind: idReader, protocol: idcard-sam, transport: { type: sim } }';

const demo = readFileSync(resolve(import.meta.dirname, '../../../config/demo-hall.yaml'), 'utf8');
const pair = new SocatPair();
const sim = new VirtualSamReader('pty-sam', { readDelayMs: 50 });
const logLines: string[] = [];
const wire: string[] = [];
let att: PtyAttachment;
let hall: RunningHall;
let dataDir: string;
let kiosk: Socket;
const messages: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  await pair.start();
  att = attachToPty(sim, pair.b, 115200);
  expect(demo).toContain(READER);
  // no baudRate: the SAM protocol's 115200 Bd default, which the simulator's end uses too
  const text = demo.replace(
    READER,
    `{ id: id-reader-1, kind: idReader, protocol: idcard-sam, transport: { type: serial, path: "${pair.a}" }, options: { periodMs: 100 } }`,
  );
  const config = parseConfig(text, 'test-sam.yaml', {});
  dataDir = mkdtempSync(join(tmpdir(), 'hallq-sam-'));
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  hall = await startHall(config, { host: '127.0.0.1', port: 0, dataDir, logger: pino({ level: 'debug' }, sink) });
  // the paired kiosk that owns the reader (config terminals: kiosk-1 readers [id-reader-1]); card reads go to it only
  kiosk = io(`${hall.url}/kiosk`, { transports: ['websocket'], auth: { terminal: await terminalToken(hall.url, 'kiosk-1') } });
  kiosk.onAny((event, ...args) => wire.push(JSON.stringify([event, ...args])));
  kiosk.on('idcard', (m) => messages.push(m));
  await waitFor(() => kiosk.connected, 5000, 'kiosk socket');
  await waitFor(() => hall.ctx.devices.list().find((d) => d.id === 'id-reader-1')?.status === 'online', 8000, 'SAM reader online');
}, 30_000);

afterAll(async () => {
  kiosk?.close();
  await hall?.close();
  await att?.close();
  await pair.dispose();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('SAM ID-card reader → agent → kiosk on a socat pty', () => {
  it('the kiosk gets only the masked number and the masked name; the ticket registers the card', async () => {
    const reader = hall.ctx.devices.list().find((d) => d.id === 'id-reader-1')!;
    expect(reader.protocol).toBe('idcard-sam');
    expect(reader.transport).toBe(`serial:${pair.a}@115200`);

    sim.present(CARD);
    await waitFor(() => messages.length === 1, 8000, 'idcard message on the kiosk socket');
    const m = messages[0]!;
    expect(Object.keys(m).sort()).toEqual(['deviceId', 'masked', 'maskedName', 'token']);
    expect(m).toMatchObject({ deviceId: 'id-reader-1', masked: `**************${CARD.idNumber.slice(-4)}`, maskedName: '欧***' });

    const res = await api(hall.url, 'POST', '/api/v1/tickets', { service: 'temp-id-card', idToken: m.token });
    expect(res.status).toBe(201);
    const body = res.body as { ticket: { idMasked: string } };
    expect(body.ticket.idMasked).toBe(m.masked);
    // the card stays on the reader: read once per presentation
    await new Promise((r) => setTimeout(r, 600));
    expect(messages).toHaveLength(1);
  }, 20_000);

  it('a failed read and line noise give no kiosk message and no crash; the next read works', async () => {
    sim.remove();
    await new Promise((r) => setTimeout(r, 2500)); // past the reader's same-card guard
    sim.failNextRead();
    sim.noise(Uint8Array.from([0xaa, 0xaa, 0xaa, 0x96, 0x69, 0x00, 0x03, 0x12, 0x34]));
    sim.present(CARD);
    await waitFor(() => logLines.some((l) => l.includes('ID card read rejected')), 8000, 'the read error in the log');
    expect(messages).toHaveLength(1);
    // the card is read again on a later cycle once the halted card leaves and returns
    sim.remove();
    await new Promise((r) => setTimeout(r, 2500));
    sim.present(CARD);
    await waitFor(() => messages.length === 2, 8000, 'second idcard message');
    expect(hall.ctx.devices.list().find((d) => d.id === 'id-reader-1')?.status).toBe('online');
  }, 30_000);

  it('no clear number or name in the log, on the kiosk socket or in the database', async () => {
    const all = logLines.join('') + wire.join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(all).not.toContain(CARD.idNumber);
    expect(all).not.toContain(CARD.name);
    for (const f of readdirSync(dataDir).filter((x) => x.startsWith('hall.db'))) {
      const bytes = readFileSync(join(dataDir, f));
      expect(bytes.includes(Buffer.from(CARD.idNumber))).toBe(false);
      expect(bytes.includes(Buffer.from(CARD.name))).toBe(false);
    }
  });
});
