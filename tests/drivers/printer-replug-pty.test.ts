// Replug cycles of an ESC/POS printer on a socat pty, with the production defaults (link backoff,
// 500 ms heartbeat, 1 s reply timeout): unplug = kill socat, replug = start it again at the same
// paths. Measures the time from the port being back to the printer online (target: 1 s at p99) and
// prints it; asserts only with a wide margin (a loaded 2-core machine). A ticket issued during each
// outage prints exactly once after the replug.
import { afterAll, describe, expect, it } from 'vitest';
import { EscPosPrinter, type StatusPolling } from '../../drivers/devices/printer.js';
import { Link } from '../../drivers/link.js';
import { encodeEscPos } from '../../drivers/protocols/escpos.js';
import { VirtualPrinter } from '../../drivers/sim/printer.js';
import { attachToPty, type PtyAttachment } from '../../drivers/sim/pty.js';
import { SocatPair } from '../../drivers/sim/socat.js';
import { SerialTransport } from '../../drivers/transports/serial.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(fn: () => unknown, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
});

// 20 cycles in the everyday suite; REPLUG_CYCLES=50 (or more) for the long soak.
const CYCLES: Record<Exclude<StatusPolling, 'auto'>, number> = {
  full: Number(process.env.REPLUG_CYCLES ?? 20),
  basic: 10,
  none: 10,
};

describe('ESC/POS printer replug on a socat pty', () => {
  for (const mode of ['full', 'basic', 'none'] as const) {
    it(`statusPolling ${mode}: ${CYCLES[mode]} replugs, online again fast, outage ticket printed once`, async () => {
      const pair = new SocatPair();
      await pair.start();
      const sim = new VirtualPrinter(`replug-${mode}`);
      sim.statusReplies = mode;
      let att: PtyAttachment = attachToPty(sim, pair.b, 115200);
      const printer = new EscPosPrinter(new Link(new SerialTransport({ path: pair.a, baudRate: 115200 })), { statusPolling: mode });
      cleanups.push(async () => {
        await printer.stop();
        await att.close();
        await pair.dispose();
      });
      printer.start();
      await waitFor(() => printer.cell.status === 'online', 5000, 'online');

      const recoveries: number[] = [];
      for (let i = 0; i < CYCLES[mode]; i++) {
        await pair.kill();
        await waitFor(() => printer.cell.status === 'offline', 5000, `cycle ${i}: offline`);
        // A listen-only simulator may hold the dead pty (no 'close' comes without I/O on it): then it is
        // attached afresh, as a printer that is plugged in again opens a new port.
        const t0 = Date.now();
        while (att.isOpen && Date.now() - t0 < 1000) await sleep(10);
        if (att.isOpen) {
          await att.close();
          att = attachToPty(sim, pair.b, 115200);
        }
        const printed = printer.print(`outage-${i}`, encodeEscPos([{ op: 'init' }, { op: 'text', text: `票${i}` }, { op: 'cut' }]), 15_000);
        // outages of varying length, so the link's reconnect backoff is caught at every step up to its cap
        await sleep(20 + ((i * 397) % 1200));
        await pair.start();
        const back = performance.now();
        await waitFor(() => printer.cell.status === 'online', 5000, `cycle ${i}: online`);
        recoveries.push(performance.now() - back);
        await printed;
        // the page is out before the next unplug (a write-only printer's "printed" means only that the
        // bytes left this process: pulling the cable a millisecond later loses them, as on real hardware)
        await waitFor(() => sim.pages.length === i + 1, 3000, `cycle ${i}: outage ticket printed`);
      }
      await sleep(300);
      expect(sim.pages.map((p) => p.lines[0]?.text)).toEqual(Array.from({ length: CYCLES[mode] }, (_, i) => `票${i}`));

      const p50 = pct(recoveries, 50);
      const p99 = pct(recoveries, 99);
      console.log(
        `printer replug (${mode}, ${recoveries.length} cycles): port back → online p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${Math.max(...recoveries).toFixed(0)} ms (target p99 < 1000 ms)`,
      );
      // the target is 1 s; asserted with a wide margin for a loaded machine
      expect(p99).toBeLessThan(2500);
    }, 240_000);
  }
});
