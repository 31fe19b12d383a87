// Print confirmation: a job counts as printed only when a status poll right behind it comes back
// healthy. Cover open / paper out / no reply after the job → print.failed, and the job is never
// sent again (a real printer may still hold it; the kiosk shows the number on screen instead).
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceManagerImpl } from '../../../agent/devices/manager.js';
import type { DeviceConfig } from '../../../drivers/config.js';
import { EscPosPrinter, PrintUnconfirmedError } from '../../../drivers/devices/printer.js';
import { Link } from '../../../drivers/link.js';
import { createEscPosPrinterDecoder } from '../../../drivers/protocols/escpos-decode.js';
import { statusBytesFor } from '../../../drivers/protocols/escpos.js';
import { VirtualDevice } from '../../../drivers/sim/base.js';
import type { VirtualPrinter } from '../../../drivers/sim/printer.js';
import { SimTransport } from '../../../drivers/transports/sim.js';
import { HallBus, hall, issue, logger, recorder, services, ticket, waitFor } from './helpers.js';
import { deviceManager } from './helpers.js';

const devices: DeviceConfig[] = [
  { id: 'printer1', kind: 'ticketPrinter', protocol: 'escpos', transport: { type: 'sim' }, options: { paperWidth: 80 } },
];

let m: DeviceManagerImpl | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await m?.stop();
  m = undefined;
  for (const c of cleanups.splice(0)) await c();
});

/** pollMs: the heartbeat period. 60 s = effectively only the confirmation poll after a job. */
async function setup(pollMs: number, printDeadlineMs = 5000) {
  const bus = new HallBus();
  const rec = recorder(bus);
  m = deviceManager({ devices, bus, hall, services, logger, printDeadlineMs, printer: { pollMs, replyTimeoutMs: 300 } });
  await m.start();
  await waitFor(() => m!.list()[0]?.status === 'online', 2000, 'printer online');
  const printer = m.bound[0]!.sim as VirtualPrinter;
  return { bus, rec, printer, status: () => m!.list()[0]!.status };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('print confirmation (sim printer through the device manager)', () => {
  it('the confirmation alone finds the open cover (no heartbeat in between)', async () => {
    const { bus, rec, printer, status } = await setup(60_000);
    m!.simAction('printer1', { type: 'cover', open: true });
    const t = ticket();
    issue(bus, t);
    await waitFor(() => rec.of('print.failed').length === 1, 1000, 'print.failed within 1 s');
    expect(rec.of('print.failed')[0]).toMatchObject({ deviceId: 'printer1', ticketId: t.id });
    expect(status()).toBe('coverOpen');
    expect(printer.pages).toEqual([]);
    expect(rec.of('print.done')).toEqual([]);
  });

  for (const heartbeat of [100, 500]) {
    describe(`heartbeat every ${heartbeat} ms`, () => {
      it('cover opened just before a job → print.failed within 1 s, nothing printed, no reprint after the cover closes', async () => {
        const { bus, rec, printer, status } = await setup(heartbeat);
        m!.simAction('printer1', { type: 'cover', open: true });
        expect(status()).toBe('online'); // the heartbeat has not seen it yet: the job is written
        const t = ticket();
        const t0 = Date.now();
        issue(bus, t);
        await waitFor(() => rec.of('print.failed').length === 1, 1000, 'print.failed within 1 s');
        expect(Date.now() - t0).toBeLessThan(1000);
        expect(rec.of('print.failed')[0]).toMatchObject({ deviceId: 'printer1', ticketId: t.id });
        expect(rec.of('print.failed')[0]!.reason).toMatch(/cover open.*not re-sent/);
        expect(status()).toBe('coverOpen');
        expect(printer.pages).toEqual([]);
        expect(printer.lostPages).toBe(1);
        expect((m!.simState() as Array<{ state: { pages: unknown[] } }>)[0]!.state.pages).toEqual([]);

        m!.simAction('printer1', { type: 'cover', open: false });
        await waitFor(() => status() === 'online', 2000, 'online again');
        // a later job prints (and confirms), the failed one never comes out
        const t2 = ticket();
        issue(bus, t2);
        await waitFor(() => rec.of('print.done').length === 1, 2000, 'next job done');
        await sleep(2 * heartbeat + 100);
        expect(rec.of('print.done')[0]!.ticketId).toBe(t2.id);
        expect(printer.pages.map((p) => p.qr[0])).toEqual([`https://hall.example/t/${t2.id}`]);
        expect(rec.of('print.failed')).toHaveLength(1);
      });

      it('paper out just before a job → print.failed within 1 s, nothing printed, no reprint with new paper', async () => {
        const { bus, rec, printer, status } = await setup(heartbeat);
        m!.simAction('printer1', { type: 'paper', state: 'out' });
        const t = ticket();
        issue(bus, t);
        await waitFor(() => rec.of('print.failed').length === 1, 1000, 'print.failed within 1 s');
        expect(rec.of('print.failed')[0]).toMatchObject({ deviceId: 'printer1', ticketId: t.id });
        expect(rec.of('print.failed')[0]!.reason).toMatch(/out of paper/);
        expect(status()).toBe('paperOut');
        m!.simAction('printer1', { type: 'paper', state: 'ok' });
        await waitFor(() => status() === 'online', 2000, 'online again');
        await sleep(2 * heartbeat + 100);
        expect(printer.pages).toEqual([]);
        expect(rec.of('print.done')).toEqual([]);
        expect(printer.lostPages).toBe(1);
      });
    });
  }

  it('healthy: print.done comes only after the status poll that follows the job', async () => {
    const { bus, rec, printer } = await setup(60_000);
    const rx: number[] = [];
    printer.taps.push((b) => rx.push(...b));
    let rxAtDone = -1;
    bus.on('print.done', () => {
      rxAtDone = rx.length;
    });
    const t = ticket();
    issue(bus, t);
    await waitFor(() => rec.of('print.done').length === 1, 1000, 'print.done');
    expect(rec.of('print.done')[0]).toMatchObject({ deviceId: 'printer1', ticketId: t.id });
    expect(printer.pages).toHaveLength(1);
    // the printer had received the job (ending in the cut) and then a full DLE EOT 1..4 poll
    const seen = rx.slice(0, rxAtDone);
    const hex = Buffer.from(seen).toString('hex');
    // the job ends in GS V 66 n (feed to the cutter, partial cut)
    const cut = hex.lastIndexOf('1d5642');
    expect(cut).toBeGreaterThan(0);
    expect(hex.slice(cut + 8)).toBe('100401100402100403100404');
  });

  it('paper near end still confirms the job', async () => {
    const { bus, rec, printer } = await setup(60_000);
    m!.simAction('printer1', { type: 'paper', state: 'nearEnd' });
    issue(bus, ticket());
    await waitFor(() => rec.of('print.done').length === 1, 1000, 'print.done');
    expect(printer.pages).toHaveLength(1);
    expect(m!.list()[0]!.status).toBe('paperNearEnd');
  });

  it('a ticket held while the cover is open (already seen) still waits and prints once when it closes', async () => {
    const { bus, rec, printer, status } = await setup(100);
    m!.simAction('printer1', { type: 'cover', open: true });
    await waitFor(() => status() === 'coverOpen', 1000, 'coverOpen');
    const t = ticket();
    issue(bus, t);
    await sleep(300);
    expect(printer.pages).toEqual([]);
    expect(printer.lostPages).toBe(0); // never written
    m!.simAction('printer1', { type: 'cover', open: false });
    await waitFor(() => rec.of('print.done').length === 1, 2000, 'printed after close');
    await sleep(300);
    expect(printer.pages.filter((p) => p.qr[0]?.endsWith(t.id))).toHaveLength(1);
    expect(rec.of('print.failed')).toEqual([]);
  });
});

/**
 * A scripted printer for the driver-level tests: answers DLE EOT from its state, optionally late or
 * not at all, counts jobs (ESC @) and notices a poll arriving while it still owes replies.
 */
class ScriptedPrinter extends VirtualDevice {
  coverOpen = false;
  mute = false;
  /** delay of the replies to the next poll set only (ms) */
  lateOnce = 0;
  /** delay of every reply (ms) */
  delay = 0;
  jobs = 0;
  owed = 0;
  overlaps = 0;
  private lateLeft = 0;
  private readonly decoder = createEscPosPrinterDecoder((e) => {
    if (e.type === 'init') this.jobs++;
    if (e.type !== 'status' || this.mute) return;
    if (e.n === 1 && this.owed > 0) this.overlaps++;
    if (e.n === 1 && this.lateOnce > 0) {
      this.lateLeft = 4;
    }
    const s = statusBytesFor({ paper: 'ok', coverOpen: this.coverOpen });
    const byte = s[e.n as 1 | 2 | 3 | 4];
    const wait = this.lateLeft > 0 ? this.lateOnce : this.delay;
    if (this.lateLeft > 0 && --this.lateLeft === 0) this.lateOnce = 0;
    this.owed++;
    setTimeout(() => {
      this.owed--;
      this.send(Uint8Array.of(byte));
    }, wait);
  });
  protected receive(bytes: Uint8Array): void {
    this.decoder.push(bytes);
  }
  state() {
    return {};
  }
}

function driver(dev: ScriptedPrinter, o: ConstructorParameters<typeof EscPosPrinter>[1]) {
  const p = new EscPosPrinter(new Link(new SimTransport(dev)), o);
  const statuses: string[] = [];
  p.cell.onChange((s) => statuses.push(s));
  p.start();
  cleanups.push(() => p.stop());
  return { p, statuses };
}

const JOB = Uint8Array.of(0x1b, 0x40, 0x41, 0x0a, 0x1d, 0x56, 0x00);

describe('print confirmation (driver level)', () => {
  it('no reply after the job → rejected as offline within the reply timeout, not re-sent when replies return', async () => {
    const dev = new ScriptedPrinter('scripted');
    const { p } = driver(dev, { pollMs: 100, replyTimeoutMs: 150 });
    await waitFor(() => p.cell.status === 'online', 1000, 'online');
    dev.mute = true;
    const t0 = Date.now();
    const err = await p.print('j1', JOB, 5000).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(PrintUnconfirmedError);
    expect(err?.message).toMatch(/no reply.*not re-sent/);
    expect(Date.now() - t0).toBeLessThan(700); // ≤ one heartbeat timeout + settle + its own timeout
    expect(p.cell.status).toBe('offline');
    expect(dev.jobs).toBe(1);
    // replies come back: online again; the next job prints, the failed one is not written again
    dev.mute = false;
    await p.print('j2', JOB, 5000);
    await sleep(300);
    expect(p.cell.status).toBe('online');
    expect(dev.jobs).toBe(2);
  });

  it('heartbeat and confirmation polls never overlap on the line', async () => {
    const dev = new ScriptedPrinter('scripted');
    dev.delay = 3;
    const { p } = driver(dev, { pollMs: 5, replyTimeoutMs: 200 });
    await waitFor(() => p.cell.status === 'online', 1000, 'online');
    for (let i = 0; i < 30; i++) {
      await p.print(`j${i}`, JOB, 5000);
      await sleep(i % 7);
    }
    expect(dev.jobs).toBe(30);
    expect(dev.overlaps).toBe(0);
  });

  it('a late reply to a timed-out poll is not taken for the next poll’s answer', async () => {
    const dev = new ScriptedPrinter('scripted');
    // every reply takes 80 ms and polls follow back to back, so a poll is nearly always in flight:
    // stale bytes arriving at any moment would be taken as its answer without the settle rule
    dev.delay = 80;
    const { p, statuses } = driver(dev, { pollMs: 10, replyTimeoutMs: 150, settleMs: 100 });
    await waitFor(() => p.cell.status === 'online', 1000, 'online');
    statuses.length = 0;
    // the confirmation of j1 is answered (healthy) 200 ms late, i.e. after its timeout; meanwhile
    // the cover opens. The next poll must report the cover, never "online" from the stale bytes.
    dev.lateOnce = 200;
    const j1 = p.print('j1', JOB, 5000).then(
      () => 'done',
      (e: Error) => e.message,
    );
    await sleep(20);
    dev.coverOpen = true;
    // j1 fails either way: its own confirmation timed out, or (if a heartbeat drew the late replies)
    // its confirmation, sent after the line settled, saw the open cover
    expect(await j1).toMatch(/no reply|cover open/);
    const j2 = p.print('j2', JOB, 1000).then(
      () => 'done',
      (e: Error) => e.message,
    );
    await waitFor(() => p.cell.status === 'coverOpen', 1500, 'coverOpen');
    await sleep(200);
    expect(statuses).not.toContain('online');
    expect(statuses.at(-1)).toBe('coverOpen');
    expect(dev.jobs).toBe(1); // j2 was held, never written to an open printer
    expect(await j2).toMatch(/not delivered within/);
  });
});
