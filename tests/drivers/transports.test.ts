// Transports without hardware: serialport's own SerialPortMock, a local TCP "port 9100" printer,
// and the lazy node-hid loader.
import net from 'node:net';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { Bus } from '../../drivers/bus/bus.js';
import { KeypadDevice } from '../../drivers/devices/keypad.js';
import { EscPosPrinter } from '../../drivers/devices/printer.js';
import { Link } from '../../drivers/link.js';
import { encodeEscPos } from '../../drivers/protocols/escpos.js';
import { FUNC, type KeypadEvent, createKeypadDecoder, encodeEventReply, encodeIdle } from '../../drivers/protocols/rs485-keypad.js';
import { VirtualPrinter } from '../../drivers/sim/printer.js';
import { loadNodeHid } from '../../drivers/transports/hid.js';
import { SerialTransport, type SerialPortLike } from '../../drivers/transports/serial.js';
import { TcpTransport } from '../../drivers/transports/tcp.js';

async function waitFor<T>(fn: () => T | undefined | false, ms = 2000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('serial transport on SerialPortMock', () => {
  it('a polled keypad: reply split and behind garbage, acked by the next poll; a second close is harmless', async () => {
    SerialPortMock.binding.createPort('/dev/MOCK1', { echo: false, record: true });
    let port: (SerialPortMock & SerialPortLike) | undefined;
    const polls: number[] = [];
    let pressed = false;
    // the pad at address 7, answering from the documented frames
    const pad = createKeypadDecoder((f) => {
      if (f.addr !== 7 || f.func !== FUNC.poll) return;
      polls.push(f.data[0] ?? -1);
      const reply = pressed && f.data[0] !== 1 ? encodeEventReply(7, 1, { type: 'key', key: 'call' }) : encodeIdle(7);
      setImmediate(() => {
        if (!port?.isOpen) return;
        port!.port!.emitData(Buffer.from([0x00, 0xff, 0x13, ...reply.slice(0, 4)]));
        port!.port!.emitData(Buffer.from(reply.slice(4)));
      });
    });
    const transport = new SerialTransport({
      path: '/dev/MOCK1',
      baudRate: 9600,
      factory: (o) => {
        const p = new SerialPortMock(o) as SerialPortMock & SerialPortLike;
        const write = p.write.bind(p);
        p.write = ((data: Buffer, cb: (err: Error | null | undefined) => void) => {
          pad(data);
          return write(data, cb);
        }) as typeof p.write;
        port = p;
        return p;
      },
    });
    const link = new Link(transport);
    const bus = new Bus(link, { charMs: 1.04, timeoutMs: 200 });
    const events: KeypadEvent[] = [];
    const kp = new KeypadDevice(bus, 7, 'kp7', (e) => events.push(e), { pollMs: 20 });
    const ups: number[] = [];
    link.onUp(() => ups.push(Date.now()));
    link.start();
    kp.start();
    cleanups.push(async () => {
      kp.stop();
      bus.stop();
      await link.stop();
    });
    await waitFor(() => kp.cell.status === 'online');
    pressed = true;
    await waitFor(() => events.length === 1);
    expect(events[0]).toEqual({ type: 'key', addr: 7, key: 'call' });
    // the next poll carries the event's sequence number: the ack
    await waitFor(() => polls.at(-1) === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(events.length).toBe(1);
    // the library may report close twice: one session end, one reconnect
    const downs: number[] = [];
    link.onDown(() => downs.push(1));
    port!.emit('close', new Error('gone'));
    port!.emit('close', new Error('gone again'));
    await waitFor(() => ups.length === 2);
    expect(downs.length).toBe(1);
  });

  it('a write that fails after the port was closed (EIO from a wedged adapter) is not an uncaught error', async () => {
    SerialPortMock.binding.createPort('/dev/MOCK2', { echo: false, record: true });
    let port: (SerialPortMock & SerialPortLike) | undefined;
    const transport = new SerialTransport({
      path: '/dev/MOCK2',
      baudRate: 9600,
      factory: (o) => (port = new SerialPortMock(o) as SerialPortMock & SerialPortLike),
    });
    await transport.open();
    await transport.close();
    // serialport emits 'error' for a failed write even when the write had a callback; an 'error'
    // with no listener throws, which in the agent is an uncaught exception
    expect(() => port!.emit('error', Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }))).not.toThrow();
    await transport.open();
    await transport.write(new Uint8Array([1, 2, 3]));
    await transport.close();
  });
});

describe('tcp transport (raw port 9100 printer)', () => {
  it('prints over TCP and reconnects after the printer drops the connection', async () => {
    const vp = new VirtualPrinter('tcp');
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      sockets.push(s);
      vp.attach({ send: (b) => s.write(b), unplug: () => s.destroy() });
      s.on('data', (d) => vp.input(new Uint8Array(d)));
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
    );
    const port = (server.address() as net.AddressInfo).port;
    const printer = new EscPosPrinter(new Link(new TcpTransport('127.0.0.1', port)), { pollMs: 50, replyTimeoutMs: 200 });
    const history: string[] = [];
    printer.cell.onChange((st) => history.push(st));
    printer.start();
    cleanups.push(() => printer.stop());
    await waitFor(() => printer.cell.status === 'online');
    await printer.print('j1', encodeEscPos([{ op: 'init' }, { op: 'text', text: '网络打印机' }, { op: 'cut' }]), 2000);
    await waitFor(() => vp.pages.length === 1);
    expect(vp.pages[0]!.lines[0]!.text).toBe('网络打印机');
    for (const s of sockets) s.destroy();
    await waitFor(() => history.slice(1).includes('offline'));
    await waitFor(() => printer.cell.status === 'online');
    await printer.print('j2', encodeEscPos([{ op: 'init' }, { op: 'text', text: 'again' }, { op: 'cut' }]), 2000);
    await waitFor(() => vp.pages.length === 2);
  });
});

describe('hid', () => {
  it('node-hid loads lazily (libusb-1.0-0 present on this machine)', async () => {
    const HID = await loadNodeHid();
    expect(typeof HID.devicesAsync).toBe('function');
  });
});
