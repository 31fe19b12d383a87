// Runs a virtual device on the far end of a serial port (a socat pty), so the host side goes through
// the real `serialport` stack. The attachment re-opens the port when it comes back (socat restarted
// at the same link= path), like a device that is plugged in again.
import { realpath } from 'node:fs/promises';
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
      // A device that only listens (a write-only printer) may never see 'close' when socat goes away:
      // it would stay on the dead pty and miss everything sent to the new one. The link= path points at
      // the pty in use; a new socat gets a new /dev/pts number while this one is still held open.
      void realpath(path).then(
        (opened) => {
          const watch = setInterval(() => {
            if (done) return clearInterval(watch);
            realpath(path).then(
              (now) => {
                if (now !== opened) {
                  clearInterval(watch);
                  again();
                }
              },
              () => {
                clearInterval(watch);
                again();
              },
            );
          }, 50);
          watch.unref();
        },
        () => again(),
      );
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
