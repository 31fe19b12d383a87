// Timing probes for the bench: when did the first byte of a job/frame reach the far end of a pty?
// A job is recognised by its leading marker (ESC @ for ESC/POS, AA 55 for the framed LED protocol);
// the arrival time of the chunk holding the marker's first byte is the first-byte time.
import type { VirtualDevice } from './base.js';
import { VirtualPrinter } from './printer.js';
import { type PtyAttachment, attachToPty } from './pty.js';
import { SocatPair } from './socat.js';

export interface MarkerProbe {
  readonly times: number[];
  /** resolves with the performance.now() time of the next marker */
  next(timeoutMs?: number): Promise<number>;
}

export function markerProbe(device: VirtualDevice, marker: readonly number[]): MarkerProbe {
  const times: number[] = [];
  const waiters: Array<(t: number) => void> = [];
  let matched = 0; // marker bytes matched at the end of the previous chunk
  let pendingAt = 0;
  device.taps.push((bytes, at) => {
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === marker[matched]) {
        if (matched === 0) pendingAt = at;
        matched++;
        if (matched === marker.length) {
          matched = 0;
          times.push(pendingAt);
          waiters.shift()?.(pendingAt);
        }
      } else if (bytes[i] === marker[0]) {
        pendingAt = at;
        matched = 1;
      } else matched = 0;
    }
  });
  return {
    times,
    next(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no marker within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((t) => {
          clearTimeout(timer);
          resolve(t);
        });
      });
    },
  };
}

export interface PtyPrinterReader {
  /** configure the agent's printer with { type: 'serial', path, baudRate } */
  readonly path: string;
  readonly printer: VirtualPrinter;
  readonly probe: MarkerProbe;
  close(): Promise<void>;
}

/**
 * A virtual ESC/POS printer on the far end of a fresh socat pty pair, reporting the first-byte time
 * (performance.now()) of every job. For in-process benches: the agent under test opens `path`.
 */
export async function startPtyPrinterReader(baudRate = 115200): Promise<PtyPrinterReader> {
  const pair = new SocatPair();
  await pair.start();
  const printer = new VirtualPrinter('bench-printer', 50);
  const probe = markerProbe(printer, [0x1b, 0x40]);
  const att: PtyAttachment = attachToPty(printer, pair.b, baudRate);
  return {
    path: pair.a,
    printer,
    probe,
    async close() {
      await att.close();
      await pair.dispose();
    },
  };
}
