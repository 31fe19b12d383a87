// The SAM ID-card reader driver through the real `serialport` on a socat pty pair, with the virtual
// reader on the far end: a card laid on the reader gives one event with the number and the name; a
// read error, a card pulled away mid-read, a torn reply, line noise, a SAM fault and an unplug give
// clear statuses and no crash; nothing logged carries the number or the name.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../common/gb11643.js';
import { SamReader } from '../../drivers/devices/sam-reader.js';
import type { DeviceEvent } from '../../drivers/host/contract.js';
import { Link } from '../../drivers/link.js';
import { type PtyAttachment, attachToPty } from '../../drivers/sim/pty.js';
import { VirtualSamReader } from '../../drivers/sim/sam-reader.js';
import { SocatPair } from '../../drivers/sim/socat.js';
import { SerialTransport } from '../../drivers/transports/serial.js';

const card = (first17: string, name: string) => ({ idNumber: first17 + idCheckChar(first17), name, sex: '2', nation: '01' });
const ALICE = card('34010219850615202', '李四');
const BOB = card('34010419790203301', '欧阳娜娜');

const pair = new SocatPair();
const sim = new VirtualSamReader('pty-sam', { readDelayMs: 30 });
let att: PtyAttachment;
let reader: SamReader;
const events: DeviceEvent[] = [];
const logs: string[] = [];

const of = <T extends DeviceEvent['type']>(t: T) => events.filter((e): e is Extract<DeviceEvent, { type: T }> => e.type === t);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(fn: () => unknown, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

beforeAll(async () => {
  await pair.start();
  att = attachToPty(sim, pair.b, 115200);
  const link = new Link(new SerialTransport({ path: pair.a, baudRate: 115200 }), { onLog: (l, m) => logs.push(`${l} ${m}`) });
  reader = new SamReader(link, 'id-sam', {
    periodMs: 100,
    replyTimeoutMs: 400,
    readTimeoutMs: 1000,
    repeatGuardMs: 200,
    onLog: (l, m) => logs.push(`${l} ${m}`),
  });
  reader.onEvent((e) => events.push(e));
  reader.start();
  await waitFor(() => reader.cell.status === 'online', 5000, 'reader online');
}, 15_000);

afterAll(async () => {
  await reader?.stop();
  await att?.close();
  await pair.dispose();
  // the number and the name never reach a log line or the simulator's state
  const all = logs.join('\n') + JSON.stringify(sim.state());
  for (const c of [ALICE, BOB]) {
    expect(all).not.toContain(c.idNumber);
    expect(all).not.toContain(c.name);
  }
});

beforeEach(async () => {
  sim.remove();
  sim.noiseBeforeReplies = 0;
  sim.samFault = undefined;
  sim.haltAfterRead = true;
  await sleep(300); // a find sees the empty reader: the previous presentation is over
  events.length = 0;
});

describe('SAM ID-card reader on a socat pty', () => {
  it('a card laid on the reader gives one event with the number and the name, however long it stays', async () => {
    sim.present(ALICE);
    await waitFor(() => of('idcard').length === 1, 3000, 'idcard event');
    expect(of('idcard')[0]).toEqual({ type: 'idcard', deviceId: 'id-sam', idNumber: ALICE.idNumber, name: ALICE.name });
    await sleep(800); // eight more find cycles while the card stays
    expect(of('idcard')).toHaveLength(1);
    expect(of('idcard.error')).toEqual([]);
    // taken away and laid down again: a new presentation
    sim.remove();
    await sleep(300);
    sim.present(ALICE);
    await waitFor(() => of('idcard').length === 2, 3000, 'second presentation');
  });

  it('a reader that keeps finding a card it has read: still one event per presentation', async () => {
    sim.haltAfterRead = false;
    sim.present(BOB);
    await waitFor(() => of('idcard').length === 1, 3000, 'idcard event');
    await sleep(800);
    expect(of('idcard')).toHaveLength(1);
    expect(sim.reads).toBeGreaterThan(0);
  });

  it('a read error gives idcard.error with the status code, then the card is read on the next try', async () => {
    sim.failNextRead(0x41);
    sim.present(ALICE);
    await waitFor(() => of('idcard').length === 1, 3000, 'read after the error');
    const errors = of('idcard.error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.reason).toMatch(/0x41 读证\/卡操作失败/);
    expect(JSON.stringify(errors)).not.toContain(ALICE.idNumber);
    expect(reader.cell.status).toBe('online');
  });

  it('a card pulled away mid-read gives one idcard.error and no event', async () => {
    sim.removeDuringNextRead();
    sim.present(BOB);
    await waitFor(() => of('idcard.error').length === 1, 3000, 'idcard.error');
    await sleep(500);
    expect(of('idcard')).toEqual([]);
    expect(of('idcard.error')).toHaveLength(1);
    expect(of('idcard.error')[0]!.reason).toMatch(/read failed/);
    expect(reader.cell.status).toBe('online');
  });

  it('a torn read reply times out as a read error; the next reply is understood', async () => {
    sim.truncateNextRead();
    sim.present(ALICE);
    await waitFor(() => of('idcard.error').length === 1, 3000, 'idcard.error');
    expect(of('idcard.error')[0]!.reason).toMatch(/no reply to the read/);
    // the reader halted the card after sending the (torn) reply: lay it down again
    sim.remove();
    await sleep(300);
    sim.present(ALICE);
    await waitFor(() => of('idcard').length === 1, 3000, 'read after re-presenting');
  });

  it('line noise: garbage on the line and before every reply still gives the card, no crash', async () => {
    const junk = Uint8Array.from({ length: 400 }, (_, i) => (i * 97 + 13) & 0xff);
    sim.noise(junk);
    sim.noise(Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69, 0x05, 0x08, 0x00)); // a fake header claiming 1,288 bytes
    sim.noiseBeforeReplies = 25;
    await sleep(300);
    sim.present(BOB);
    await waitFor(() => of('idcard').length === 1, 5000, 'idcard through the noise');
    expect(of('idcard')[0]!.idNumber).toBe(BOB.idNumber);
    expect(['online', 'degraded']).toContain(reader.cell.status);
    sim.noiseBeforeReplies = 0;
    await waitFor(() => reader.cell.status === 'online', 3000, 'online once the line is clean');
  });

  it('a SAM fault degrades the reader with the code; it recovers when the SAM does', async () => {
    sim.samFault = 0x60;
    await waitFor(() => reader.cell.status === 'degraded', 3000, 'degraded');
    expect(reader.cell.detail).toMatch(/SAM fault: SW3 0x60 SAM_V自检失败/);
    expect(of('status').at(-1)).toMatchObject({ type: 'status', deviceId: 'id-sam', status: 'degraded' });
    sim.present(ALICE);
    await sleep(300);
    expect(of('idcard')).toEqual([]);
    sim.samFault = undefined;
    await waitFor(() => of('idcard').length === 1, 3000, 'read after the SAM recovered');
    expect(reader.cell.status).toBe('online');
  });

  it('unplug: offline at once, back online after the replug, and reads again', async () => {
    await pair.kill();
    await waitFor(() => reader.cell.status === 'offline', 3000, 'offline');
    expect(of('status').at(-1)).toMatchObject({ status: 'offline' });
    // A listen-only simulator may hold the dead pty (no 'close' comes without I/O on it): then it is
    // attached afresh, as a reader that is plugged in again opens a new port.
    const t0 = Date.now();
    while (att.isOpen && Date.now() - t0 < 1000) await sleep(10);
    if (att.isOpen) {
      await att.close();
      att = attachToPty(sim, pair.b, 115200);
    }
    await pair.start();
    await waitFor(() => reader.cell.status === 'online', 5000, 'online after replug');
    sim.present(BOB);
    await waitFor(() => of('idcard').length === 1, 3000, 'read after replug');
  });
});
