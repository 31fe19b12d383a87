// The SAM reader driver in-process (SimTransport), for cases the pty test cannot stage exactly:
// an invalid number on the card, a silent reader, a SAM that is unauthorised from the start.
import { afterEach, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../common/gb11643.js';
import { SamReader } from '../../drivers/devices/sam-reader.js';
import type { DeviceEvent } from '../../drivers/host/contract.js';
import { Link } from '../../drivers/link.js';
import { VirtualSamReader } from '../../drivers/sim/sam-reader.js';
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

function setup(sim = new VirtualSamReader('sam', { readDelayMs: 5 })) {
  const logs: string[] = [];
  const reader = new SamReader(new Link(new SimTransport(sim)), 'id1', {
    periodMs: 30,
    replyTimeoutMs: 100,
    readTimeoutMs: 200,
    onLog: (l, m) => logs.push(`${l} ${m}`),
  });
  const events: DeviceEvent[] = [];
  reader.onEvent((e) => events.push(e));
  reader.start();
  stops.push(() => reader.stop());
  return { sim, reader, events, logs };
}

describe('SAM reader driver', () => {
  it('a card whose number fails GB 11643 gives idcard.error naming the problem, never the number', async () => {
    const { sim, events, logs } = setup();
    const bad = `34010219850615202${idCheckChar('34010219850615202') === '0' ? '1' : '0'}`;
    sim.present({ idNumber: bad, name: '赵六' });
    await waitFor(() => events.some((e) => e.type === 'idcard.error'), 2000, 'idcard.error');
    const err = events.find((e) => e.type === 'idcard.error')!;
    expect(err).toEqual({ type: 'idcard.error', deviceId: 'id1', reason: 'the number on the card failed the GB 11643 check (checkChar)' });
    await sleep(200);
    expect(events.filter((e) => e.type === 'idcard')).toEqual([]);
    expect(events.filter((e) => e.type === 'idcard.error')).toHaveLength(1); // read once, not every period
    expect(JSON.stringify(events) + logs.join('\n')).not.toContain(bad);
    expect(logs.join('\n')).not.toContain('赵六');
  });

  it('a read command damaged on the line (the reader answers SW3 0x10) is a read error, and the next try reads', async () => {
    const { sim, events } = setup();
    sim.failNextRead(0x10);
    sim.present({ idNumber: '11010519491231002X', name: '周九' });
    await waitFor(() => events.some((e) => e.type === 'idcard'), 2000, 'idcard after the retry');
    expect(events.filter((e) => e.type === 'idcard.error')).toEqual([
      {
        type: 'idcard.error',
        deviceId: 'id1',
        reason:
          'read: the reader received a damaged command (SW3 0x10 接收业务终端数据的校验和错 (checksum error in the command)); place the card again',
      },
    ]);
  });

  it('a card born in the future is refused', async () => {
    const { sim, events } = setup();
    const first17 = '34010220990101202';
    sim.present({ idNumber: first17 + idCheckChar(first17), name: '钱七' });
    await waitFor(() => events.some((e) => e.type === 'idcard.error'), 2000, 'idcard.error');
    expect(events.find((e) => e.type === 'idcard.error')).toMatchObject({ reason: /futureBirth/ });
  });

  it('a reader that stops answering goes offline after three silent commands, and comes back', async () => {
    const { sim, reader } = setup();
    await waitFor(() => reader.cell.status === 'online', 1000, 'online');
    const orig = sim.input.bind(sim);
    sim.input = () => {}; // deaf and mute, port still open
    await waitFor(() => reader.cell.status === 'offline', 2000, 'offline');
    expect(reader.cell.detail).toBe('no reply from the ID-card reader');
    sim.input = orig;
    await waitFor(() => reader.cell.status === 'online', 2000, 'online again');
  });

  it('a SAM not authorised from the start: degraded with the code, no card is read', async () => {
    const sim = new VirtualSamReader('sam', { readDelayMs: 5 });
    sim.samFault = 0x66;
    const { reader, events } = setup(sim);
    await waitFor(() => reader.cell.status === 'degraded', 1000, 'degraded');
    expect(reader.cell.detail).toBe('SAM fault: SW3 0x66 SAM_V没经过授权，无法使用 (SAM not authorised)');
    sim.present({ idNumber: '11010519491231002X', name: '孙八' });
    await sleep(200);
    expect(events.filter((e) => e.type === 'idcard')).toEqual([]);
  });

  it('the simulator answers damaged commands with SW3 0x10 and unknown ones with 0x21', async () => {
    const sim = new VirtualSamReader('sam');
    const out: Uint8Array[] = [];
    sim.attach({ send: (b) => out.push(b), unplug: () => {} });
    sim.input(Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x23)); // bad checksum
    sim.input(Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69, 0x00, 0x03, 0x55, 0x01, 0x57));
    expect(out.map((b) => Buffer.from(b).toString('hex'))).toEqual(['aaaaaa9669000400001014', 'aaaaaa9669000400002125']);
    expect(sim.state()).toMatchObject({ corruptCommands: 1, commands: 1 });
  });
});
