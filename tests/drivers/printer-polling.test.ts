// statusPolling: printers that answer only DLE EOT 1–2 (clones, print servers) and write-only
// printers must print. The virtual printer on the far end answers only what its statusReplies allows.
import { afterEach, describe, expect, it } from 'vitest';
import { EscPosPrinter, type PrinterOptions, WRITE_ONLY_DETAIL } from '../../drivers/devices/printer.js';
import { Link } from '../../drivers/link.js';
import { encodeEscPos } from '../../drivers/protocols/escpos.js';
import { VirtualPrinter } from '../../drivers/sim/printer.js';
import { SimTransport } from '../../drivers/transports/sim.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(fn: () => unknown, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

function setup(replies: VirtualPrinter['statusReplies'], o: PrinterOptions) {
  const sim = new VirtualPrinter(`sim-${replies}`);
  sim.statusReplies = replies;
  const polls: number[] = [];
  sim.taps.push((bytes) => {
    for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0x10 && bytes[i + 1] === 0x04) polls.push(bytes[i + 2]!);
  });
  const printer = new EscPosPrinter(new Link(new SimTransport(sim)), { pollMs: 50, replyTimeoutMs: 600, ...o });
  printer.start();
  stops.push(() => printer.stop());
  return { sim, printer, polls };
}

const job = (text: string) => encodeEscPos([{ op: 'init' }, { op: 'text', text }, { op: 'cut', partial: true }]);

describe('statusPolling', () => {
  it('full polling of a printer that answers only DLE EOT 1–2: offline, and the detail says to set basic', async () => {
    const { printer } = setup('basic', { statusPolling: 'full' });
    await waitFor(
      () => printer.cell.status === 'offline' && printer.cell.detail?.startsWith('no reply'),
      5000,
      'offline for lack of replies 3–4',
    );
    // the board tells the technician what to change
    expect(printer.cell.detail).toBe(
      'no reply to status poll DLE EOT 3–4 (the printer answers only 1–2: set its option statusPolling: basic)',
    );
  });

  it('basic: a printer answering only DLE EOT 1–2 is online and prints; its paper-out is still seen', async () => {
    const { sim, printer, polls } = setup('basic', { statusPolling: 'basic' });
    await waitFor(() => printer.cell.status === 'online', 4000, 'online');
    await printer.print('j1', job('基本状态打印机'), 2000);
    expect(sim.pages.map((p) => p.lines[0]?.text)).toEqual(['基本状态打印机']);
    expect(new Set(polls)).toEqual(new Set([1, 2])); // never asks what it cannot answer
    sim.paper = 'out';
    await waitFor(() => printer.cell.status === 'paperOut', 3000, 'paperOut from DLE EOT 2');
    await expect(printer.print('j2', job('no paper'), 300)).rejects.toThrow(/not delivered/);
    expect(sim.pages).toHaveLength(1);
  });

  it('none: a write-only printer is online, says so, and a job is confirmed by its write', async () => {
    const { sim, printer, polls } = setup('none', { statusPolling: 'none' });
    await waitFor(() => printer.cell.status === 'online', 4000, 'online');
    expect(printer.cell.detail).toBe(WRITE_ONLY_DETAIL);
    expect(printer.cell.detail).toMatch(/once written/);
    await printer.print('j1', job('只写打印机'), 2000);
    await waitFor(() => sim.pages.length === 1, 1000, 'page');
    expect(sim.pages[0]!.lines[0]!.text).toBe('只写打印机');
    await sleep(200);
    expect(polls).toEqual([]); // never a status request
  });

  it('none: with the port gone the printer is offline and jobs wait', async () => {
    const { sim, printer } = setup('none', { statusPolling: 'none' });
    await waitFor(() => printer.cell.status === 'online', 4000, 'online');
    sim.setPower(false);
    await waitFor(() => printer.cell.status === 'offline', 2000, 'offline');
    const p = printer.print('j1', job('later'), 5000);
    await sleep(100);
    expect(sim.pages).toEqual([]);
    sim.setPower(true);
    await p;
    await waitFor(() => sim.pages.length === 1, 2000, 'printed once after power returns');
  });

  describe('auto (the default): finds which DLE EOT n the printer answers', () => {
    for (const [replies, asked, hint] of [
      ['full', [1, 2, 3, 4], undefined],
      ['basic', [1, 2], /answers DLE EOT 1–2 only — cutter error, paper near end not reported/],
      ['n1', [1], /answers DLE EOT 1 only — cover open, paper out, cutter error, paper near end not reported/],
    ] as const) {
      it(`a printer answering ${asked.join(', ')}: online, prints, polls only what it answers; the hint names the mode`, async () => {
        const { sim, printer, polls } = setup(replies, {});
        await waitFor(() => printer.cell.status === 'online', 4000, 'online');
        if (hint) expect(printer.cell.detail).toMatch(hint);
        else expect(printer.cell.detail).toBeUndefined();
        await printer.print('j1', job('自动识别'), 2000);
        expect(sim.pages.map((p) => p.lines[0]?.text)).toEqual(['自动识别']);
        // after the one-by-one detection at open, the heartbeat asks only what was answered
        const since = polls.length;
        await sleep(200);
        expect(new Set(polls.slice(since))).toEqual(new Set(asked));
      });
    }

    it('a DLE EOT 1-only printer: its offline bit (paper out, cover open) holds tickets; they print once it is back', async () => {
      const { sim, printer } = setup('n1', {});
      await waitFor(() => printer.cell.status === 'online', 4000, 'online');
      sim.paper = 'out';
      await waitFor(() => printer.cell.status === 'offline', 2000, 'offline from the DLE EOT 1 byte');
      const p = printer.print('j1', job('纸回来了'), 5000);
      await sleep(150);
      expect(sim.pages).toEqual([]);
      sim.paper = 'ok';
      await p;
      expect(sim.pages.map((x) => x.lines[0]?.text)).toEqual(['纸回来了']);
    });

    it('a printer that answers nothing is offline and says what to set', async () => {
      const { printer } = setup('none', { replyTimeoutMs: 100 });
      await waitFor(() => printer.cell.status === 'offline' && printer.cell.detail?.includes('DLE EOT 1'), 4000, 'offline');
      expect(printer.cell.detail).toMatch(/set statusPolling: none/);
      await expect(printer.print('j1', job('x'), 300)).rejects.toThrow(/not delivered/);
    });
  });
});
