// Modbus RTU displays driven against a Modbus server nobody here wrote: modbus-serial's ServerSerial
// (npm, ISC) on the far end of a socat pty. Registers are decoded here from the documented map
// (docs/protocols/modbus-display.md), not with the project's decoder.
import { until } from '../helpers/until.js';
import iconv from 'iconv-lite';
import ModbusRTU from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConfig } from '../../drivers/config.js';
import type { DisplayDevice } from '../../drivers/devices/display.js';
import { LocalDeviceHost } from '../../drivers/host/local.js';
import { SocatPair } from '../../drivers/sim/socat.js';

const pair = new SocatPair();
const registers = new Map<number, Map<number, number>>();
const wire: { dir: 'rx' | 'tx'; at: number; bytes: number[] }[] = [];
let busyLeft = 2;
/** unit 6 answers this late (ms), from the last test on: after the host's reply timeout */
let lateMs = 0;
let server: InstanceType<typeof ModbusRTU.ServerSerial>;
let host: LocalDeviceHost;

const serial = { type: 'serial' as const, path: pair.a, baudRate: 9600 as const };
const display = (n: number): DeviceConfig => ({
  id: `mb${n}`,
  kind: 'counterDisplay',
  protocol: 'modbus-display',
  transport: serial,
  counter: String(n),
  address: n,
});

/** Text of line i of a unit, from the default map: 16 registers from 0x0100 + 0x10·i, high byte first, GB18030, NUL-padded. */
function lineOf(unit: number, i: number): string {
  const regs = registers.get(unit) ?? new Map();
  const bytes: number[] = [];
  for (let r = 0; r < 16; r++) {
    const v = regs.get(0x0100 + 0x10 * i + r) ?? 0;
    bytes.push(v >> 8, v & 0xff);
  }
  const end = bytes.indexOf(0);
  return iconv.decode(Buffer.from(end < 0 ? bytes : bytes.slice(0, end)), 'gb18030');
}

beforeAll(async () => {
  await pair.start();
  const vector = {
    setRegisterArray(addr: number, values: number[], unit: number, cb: (err: unknown) => void) {
      if (unit === 5) return cb({ modbusErrorCode: 0x02 }); // this model has no such registers
      if (unit === 6 && lateMs > 0) {
        // a slow controller: it shows the text and answers long after the host stopped waiting
        setTimeout(() => {
          const regs = registers.get(unit) ?? new Map<number, number>();
          for (const [i, v] of values.entries()) regs.set(addr + i, v);
          registers.set(unit, regs);
          cb(null);
        }, lateMs);
        return;
      }
      if (unit === 4 && busyLeft > 0) {
        busyLeft--;
        return cb({ modbusErrorCode: 0x06 }); // busy
      }
      const regs = registers.get(unit) ?? new Map<number, number>();
      for (const [i, v] of values.entries()) regs.set(addr + i, v);
      registers.set(unit, regs);
      cb(null);
    },
    setRegister(addr: number, value: number, unit: number, cb: (err: unknown) => void) {
      vector.setRegisterArray(addr, [value], unit, cb);
    },
    getHoldingRegister: (addr: number, unit: number) => registers.get(unit)?.get(addr) ?? 0,
  };
  await new Promise<void>((resolve, reject) => {
    server = new ModbusRTU.ServerSerial(
      vector as never,
      {
        path: pair.b,
        baudRate: 9600,
        parity: 'even',
        unitID: 255,
        openCallback: (err?: Error | null) => (err ? reject(err) : resolve()),
      } as never,
    );
  });
  // the wire as the server sees it: requests in, answers out, with their times
  const port = (server as unknown as { getPort(): import('serialport').SerialPort }).getPort();
  port.on('data', (d: Buffer) => wire.push({ dir: 'rx', at: performance.now(), bytes: [...d] }));
  const write = port.write.bind(port);
  port.write = ((d: Buffer, ...rest: unknown[]) => {
    wire.push({ dir: 'tx', at: performance.now(), bytes: [...d] });
    return (write as (...a: unknown[]) => boolean)(d, ...rest);
  }) as typeof port.write;

  host = new LocalDeviceHost([1, 2, 3, 4, 5, 6].map(display), { display: { timeoutMs: 300, backoffMs: 30 } });
  await host.start();
}, 15_000);

afterAll(async () => {
  await host?.stop();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await pair.dispose();
});

describe('Modbus displays against modbus-serial ServerSerial on a pty', () => {
  it('the port opens 8E1 by default', () => {
    expect(host.list()[0]!.transport).toBe(`serial:${pair.a}@9600 8E1`);
  });

  it('texts to three displays on one port: frames accepted, registers decode to the text', async () => {
    await Promise.all([
      host.execute('mb1', { type: 'show', lines: ['A001', '请到1号窗口'] }),
      host.execute('mb2', { type: 'show', lines: ['B017', '请到2号窗口'] }),
      host.execute('mb3', { type: 'show', lines: ['C105', '暂停服务'] }),
    ]);
    await until(() => lineOf(1, 0) === 'A001' && lineOf(2, 0) === 'B017' && lineOf(3, 0) === 'C105', 'three displays written', 4000);
    expect([lineOf(1, 1), lineOf(2, 1), lineOf(3, 1)]).toEqual(['请到1号窗口', '请到2号窗口', '暂停服务']);
    await until(
      () => ['mb1', 'mb2', 'mb3'].every((id) => host.list().find((d) => d.id === id)?.status === 'online'),
      'mb1–mb3 online',
      4000,
    );
  });

  it('a busy reply (exception 06) is retried until accepted', async () => {
    await host.execute('mb4', { type: 'show', lines: ['D002', '请到4号窗口'] });
    await until(() => lineOf(4, 0) === 'D002', 'busy display written after retries', 4000);
    const d = host.bound.find((b) => b.cfg.id === 'mb4')!.display as DisplayDevice;
    expect(d.counts.busy).toBeGreaterThanOrEqual(2);
    await until(() => host.list().find((x) => x.id === 'mb4')?.status === 'online', 'mb4 online', 4000);
  });

  it('an exception reply (02 illegal data address) marks the display degraded with the code and its meaning', async () => {
    await host.execute('mb5', { type: 'show', lines: ['E003', '请到5号窗口'] });
    await until(() => host.list().find((x) => x.id === 'mb5')?.status === 'degraded', 'mb5 degraded', 4000);
    expect(host.list().find((x) => x.id === 'mb5')?.detail).toBe('Modbus exception 02: illegal data address');
    expect(registers.get(5)).toBeUndefined();
  });

  it('no request starts before the previous reply, and each follows ≥ 3.5 characters of silence', () => {
    // between two answers of the server there is exactly one request: nothing was sent back to back
    const charMs = 11 / 9.6; // 8E1 = 11 bits per character
    let rx: number[] = [];
    let lastTx: number | undefined;
    let requests = 0;
    for (const w of wire) {
      if (w.dir === 'rx') {
        if (rx.length === 0 && lastTx !== undefined) expect(w.at - lastTx).toBeGreaterThanOrEqual(3.5 * charMs - 0.5);
        rx.push(...w.bytes);
        continue;
      }
      // the request this answer belongs to: one complete frame (write multiple: 9 + byte count)
      const expected = rx[1] === 0x10 ? 9 + (rx[6] ?? 0) : 8;
      expect(rx.length, `request before answer ${requests}`).toBe(expected);
      expect(w.bytes[0]).toBe(rx[0]); // answered by the unit asked
      requests++;
      rx = [];
      lastTx = w.at;
    }
    expect(requests).toBeGreaterThanOrEqual(6);
  });

  // after the wire check above: this display's late answers are not "one answer per request" on purpose
  it('a display answering 1.5 s late: a late reply to an old text is discarded and counted, never the ack of a newer text', async () => {
    const d = host.bound.find((b) => b.cfg.id === 'mb6')!.display as DisplayDevice;
    await until(() => d.cell.status === 'online', 'mb6 online while it answers in time', 5000);
    lateMs = 1500;
    // what the wall shows each time the board is told "acknowledged"
    const acked: string[] = [];
    d.cell.onChange((s) => s === 'online' && acked.push(lineOf(6, 0)));
    const counts = () => ({ ...d.counts });
    await host.execute('mb6', { type: 'show', lines: ['F006', '请到6号窗口'] });
    // the first text times out; a newer one follows while the late answer to the first is on its way
    await until(() => counts().timeouts >= 1, 'first text timed out', 5000);
    await host.execute('mb6', { type: 'show', lines: ['F007', '请到6号窗口'] });
    await until(() => d.late >= 1, 'a late reply counted', 10_000);
    // every "acknowledged" so far was for the newest text, and the wall shows it
    await until(() => d.cell.status === 'online' || d.cell.status === 'degraded', 'mb6 settled', 15_000);
    for (const shown of acked) expect(shown).toBe('F007');
    lateMs = 0;
    await until(() => d.cell.status === 'online' && lineOf(6, 0) === 'F007', 'mb6 online with the newest text', 10_000);
    expect(acked.every((x) => x === 'F007')).toBe(true);
  }, 40_000);
});
