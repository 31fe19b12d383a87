// Printer status that cannot lie across a reconnect, and hardware flow control, through the real
// serialport on socat ptys (and serialport's own SerialPortMock for CTS):
//  - one status answer saying "paper out" never fails a ticket: paper out is believed on two answers;
//  - a job whose confirmation a replug cut off, with the paper out after the replug, is held and
//    printed once when paper is back — never failed on one byte;
//  - a printer that holds the line (XOFF on a pty; CTS held on a mock) is busy, not a wedged port:
//    the port is not cycled mid-job and the ticket prints once the printer lets go.
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { EscPosPrinter, FLOW_HELD_DETAIL } from '../../drivers/devices/printer.js';
import { Link } from '../../drivers/link.js';
import { createEscPosPrinterDecoder } from '../../drivers/protocols/escpos-decode.js';
import { encodeEscPos, statusBytesFor } from '../../drivers/protocols/escpos.js';
import { VirtualPrinter } from '../../drivers/sim/printer.js';
import { attachToPty } from '../../drivers/sim/pty.js';
import { SocatPair } from '../../drivers/sim/socat.js';
import { type SerialPortLike, SerialTransport } from '../../drivers/transports/serial.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(fn: () => unknown, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}
const job = (text: string) => encodeEscPos([{ op: 'init' }, { op: 'text', text }, { op: 'cut', partial: true }]);

/** a virtual printer that can send XOFF/XON and a one-off status answer of its choosing */
class PtyPrinter extends VirtualPrinter {
  /** answers the next poll set (DLE EOT 1–4) with these bytes instead of its state */
  oneAnswer?: Record<1 | 2 | 3 | 4, number>;
  private owed = 0;
  /** the printer's own answers to drop: the ones oneAnswer replaced */
  private swallow = 0;
  private readonly peek = createEscPosPrinterDecoder((e) => {
    if (e.type !== 'status' || !this.oneAnswer) return;
    if (e.n === 1) this.owed = 4;
    if (this.owed > 0) {
      this.owed--;
      this.swallow++;
      super.send(Uint8Array.of(this.oneAnswer[e.n as 1 | 2 | 3 | 4]));
      if (this.owed === 0) this.oneAnswer = undefined;
    }
  });
  protected override receive(bytes: Uint8Array): void {
    this.peek.push(bytes);
    super.receive(bytes);
  }
  protected override send(bytes: Uint8Array): void {
    if (this.swallow > 0 && bytes.length === 1) {
      this.swallow--;
      return;
    }
    super.send(bytes);
  }
  flow(on: boolean): void {
    this.send(Uint8Array.of(on ? 0x11 : 0x13));
  }
}

async function ptyPrinter(o: { xonxoff?: boolean; replyTimeoutMs?: number; pollMs?: number } = {}) {
  const pair = new SocatPair();
  await pair.start();
  const sim = new PtyPrinter('pty');
  const att = attachToPty(sim, pair.b, 9600);
  const link = new Link(new SerialTransport({ path: pair.a, baudRate: 9600, xonxoff: o.xonxoff }));
  let ups = 0;
  link.onUp(() => ups++);
  const printer = new EscPosPrinter(link, { pollMs: o.pollMs ?? 100, replyTimeoutMs: o.replyTimeoutMs ?? 400 });
  const statuses: string[] = [];
  printer.cell.onChange((s) => statuses.push(s));
  printer.start();
  cleanups.push(async () => {
    await printer.stop();
    await att.close();
    await pair.dispose();
  });
  await waitFor(() => printer.cell.status === 'online', 5000, 'online');
  return { pair, sim, printer, statuses, ups: () => ups };
}

describe('printer status across answers and reconnects (socat pty)', () => {
  it('one answer saying paper out (a stray or misread byte) neither fails the ticket nor shows paper out', async () => {
    const { sim, printer, statuses } = await ptyPrinter();
    statuses.length = 0;
    // the answer to the job's confirmation poll claims paper out; the printer has paper
    const out = statusBytesFor({ paper: 'out', coverOpen: false });
    sim.taps.push((bytes) => {
      if (bytes.includes(0x1d) && bytes.includes(0x56)) sim.oneAnswer ??= out; // the cut: the job is in
    });
    await printer.print('j1', job('一个字节不算数'), 5000);
    expect(sim.pages.map((p) => p.lines[0]?.text)).toEqual(['一个字节不算数']);
    expect(statuses).not.toContain('paperOut');
    expect(printer.cell.status).toBe('online');
  });

  it('paper out on two answers still fails a job written into it, and shows paper out', async () => {
    // no heartbeat after the start: the job is written on the last answer (paper), into an empty printer
    const { sim, printer } = await ptyPrinter({ pollMs: 60_000 });
    sim.paper = 'out';
    const r = printer.print('j1', job('没纸'), 5000).then(
      () => 'done',
      (e: Error) => e.message,
    );
    expect(await r).toMatch(/out of paper \(not re-sent\)/);
    expect(printer.cell.status).toBe('paperOut');
    expect(sim.lostPages).toBe(1);
  });

  it('a replug cuts the confirmation off and the paper is out after it: held, then printed once with new paper', async () => {
    const { pair, sim, printer } = await ptyPrinter({ replyTimeoutMs: 3000 });
    // the job goes out, the paper has just run out (the page is lost), and the cable is pulled before
    // the printer answers the confirmation
    sim.statusReplies = 'none';
    sim.paper = 'out';
    let outcome = 'pending';
    const r = printer.print('j1', job('重插之后'), 20_000).then(
      () => (outcome = 'done'),
      (e: Error) => (outcome = e.message),
    );
    await waitFor(() => sim.lostPages === 1, 3000, 'job reached the printer without paper');
    await pair.kill();
    await waitFor(() => printer.cell.status === 'offline', 3000, 'offline');
    sim.statusReplies = 'full';
    await pair.start();
    await waitFor(() => printer.cell.status === 'paperOut', 5000, 'paper out seen after the replug');
    await sleep(300);
    expect(outcome).toBe('pending'); // held, not failed
    expect(sim.pages).toEqual([]);
    sim.paper = 'ok';
    await r;
    expect(outcome).toBe('done');
    expect(sim.pages.map((p) => p.lines[0]?.text)).toEqual(['重插之后']);
    await sleep(300);
    expect(sim.pages).toHaveLength(1);
  });
});

describe('hardware flow control: a held line is busy, not wedged', () => {
  it('XOFF from the printer (pty, XON/XOFF on): no port cycling mid-job; the ticket prints after XON', async () => {
    const { sim, printer, ups } = await ptyPrinter({ xonxoff: true });
    const opens = ups();
    sim.flow(false); // XOFF: the printer's buffer is full (slow head, paper being changed)
    await sleep(100);
    // a stopped pty takes no bytes at all: the write is held from its first byte
    const big = encodeEscPos([{ op: 'init' }, { op: 'text', text: '流控'.repeat(150) }, { op: 'cut', partial: true }]);
    let outcome = 'pending';
    const r = printer.print('j1', big, 20_000).then(
      () => (outcome = 'done'),
      (e: Error) => (outcome = e.message),
    );
    await waitFor(() => printer.cell.detail === FLOW_HELD_DETAIL, 5000, 'held line reported');
    await sleep(1500);
    expect(outcome).toBe('pending');
    expect(ups()).toBe(opens); // the port was not closed and reopened
    expect(sim.pages).toEqual([]);
    sim.flow(true); // XON
    await r;
    expect(outcome).toBe('done');
    expect(sim.pages).toHaveLength(1);
    expect(ups()).toBe(opens);
    expect(printer.cell.status).toBe('online');
  });

  it('CTS held (serialport SerialPortMock, RTS/CTS on): the write waits, the port is not cycled, the job prints', async () => {
    SerialPortMock.binding.createPort('/dev/HALLQ-CTS', { echo: false, record: true });
    let release: () => void = () => {};
    let held = false;
    let opens = 0;
    let port: (SerialPortMock & SerialPortLike) | undefined;
    const cuts: number[] = [];
    const printerEnd = createEscPosPrinterDecoder((e) => {
      if (e.type === 'cut') cuts.push(Date.now());
      if (e.type === 'status') setImmediate(() => port?.port?.emitData(Buffer.of(0x12)));
    });
    const transport = new SerialTransport({
      path: '/dev/HALLQ-CTS',
      baudRate: 9600,
      rtscts: true,
      factory: (o) => {
        opens++;
        const p = new SerialPortMock(o) as SerialPortMock & SerialPortLike;
        port = p;
        p.on('open', () => {
          // the binding's write completes only while CTS is asserted, as a UART with RTS/CTS does
          const binding = p.port!;
          const write = binding.write.bind(binding);
          binding.write = async (buf: Buffer) => {
            if (held) await new Promise<void>((r) => (release = r));
            printerEnd.push(buf);
            return write(buf);
          };
        });
        return p;
      },
    });
    const printer = new EscPosPrinter(new Link(transport), { pollMs: 100, replyTimeoutMs: 300 });
    printer.start();
    cleanups.push(() => printer.stop());
    await waitFor(() => printer.cell.status === 'online', 3000, 'online');
    held = true;
    let outcome = 'pending';
    const r = printer.print('j1', job('CTS'), 20_000).then(
      () => (outcome = 'done'),
      (e: Error) => (outcome = e.message),
    );
    await waitFor(() => printer.cell.detail === FLOW_HELD_DETAIL, 5000, 'held line reported');
    await sleep(1500);
    expect(outcome).toBe('pending');
    expect(opens).toBe(1);
    held = false;
    release();
    await r;
    expect(outcome).toBe('done');
    expect(cuts).toHaveLength(1);
    expect(opens).toBe(1);
  });
});
