// Runs a virtual device on the far end of a serial port (a socat pty), so the host side goes through
// the real `serialport` stack. The attachment re-opens the port when it comes back (socat restarted
// at the same link= path), like a device that is plugged in again.
import { SerialPort } from 'serialport';
import type { VirtualDevice } from './base.js';

export interface PtyAttachment {
  close(): Promise<void>;
  readonly isOpen: boolean;
}

export function attachToPty(device: VirtualDevice, path: string, baudRate = 9600, retryMs = 50): PtyAttachment {
  let port: SerialPort | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const openLoop = () => {
    if (stopped) return;
    const p = new SerialPort({ path, baudRate, autoOpen: false });
    p.open((err) => {
      if (err || stopped) {
        if (!err) p.close(() => {});
        timer = setTimeout(openLoop, retryMs);
        return;
      }
      port = p;
      device.attach({
        send: (bytes) => {
          if (p.isOpen) p.write(Buffer.from(bytes), () => {});
        },
        unplug: () => p.close(() => {}),
      });
      p.on('data', (d: Buffer) => device.input(new Uint8Array(d)));
      let done = false;
      const again = () => {
        if (done) return; // 'close' may fire twice
        done = true;
        device.detach();
        port = undefined;
        if (p.isOpen) p.close(() => {});
        timer = setTimeout(openLoop, retryMs);
      };
      p.on('close', again);
      p.on('error', again);
    });
  };
  openLoop();

  return {
    get isOpen() {
      return !!port?.isOpen;
    },
    async close() {
      stopped = true;
      clearTimeout(timer);
      const p = port;
      port = undefined;
      device.detach();
      if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
    },
  };
}
