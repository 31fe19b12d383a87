// What a counter's LED shows when nobody is being called there: 欢迎光临 only while the counter is
// open and not paused, 暂停服务 otherwise (a closed counter must not invite citizens over).
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceManagerImpl } from '../../../agent/devices/manager.js';
import type { DeviceConfig } from '../../../drivers/config.js';
import { HallBus, call, deviceManager, hall, logger, services, ticket, waitFor } from './helpers.js';

const devices: DeviceConfig[] = [
  { id: 'led3', kind: 'counterDisplay', protocol: 'led-framed', transport: { type: 'sim' }, counter: '3', address: 3 },
  { id: 'led4', kind: 'counterDisplay', protocol: 'led-framed', transport: { type: 'sim' }, counter: '4', address: 4 },
];

let m: DeviceManagerImpl | undefined;
afterEach(async () => {
  await m?.stop();
  m = undefined;
});

const lines = (id: string) =>
  (m!.simState() as Array<{ id: string; state: { lines?: string[] } }>).find((d) => d.id === id)!.state.lines ?? [];

describe('counter LED idle text', () => {
  it('shows 暂停服务 at start-up for a closed counter and 欢迎光临 for an open one', async () => {
    const bus = new HallBus();
    const state: Record<string, { open: boolean; paused: boolean }> = {
      '3': { open: true, paused: false },
      '4': { open: false, paused: false },
    };
    m = deviceManager({ devices, bus, hall, services, logger, counterState: (c) => state[c] });
    await m.start();
    await waitFor(() => lines('led3')[1] === '欢迎光临', 3000, 'open counter welcome');
    await waitFor(() => lines('led4')[1] === '暂停服务', 3000, 'closed counter paused text');
    expect(lines('led4')).toEqual(['4号窗口', '暂停服务']);
  });

  it('after a finish, follows the counter state carried by the event', async () => {
    const bus = new HallBus();
    m = deviceManager({ devices, bus, hall, services, logger });
    await m.start();
    const t = ticket();
    call(bus, t, '3');
    await waitFor(() => lines('led3')[0] === t.number, 3000, 'call shown');
    const base = { seq: 1000, at: Date.now(), ticketId: t.id, counter: '3', data: {} };
    const counter = (open: boolean, paused: boolean) => ({ id: '3', open, paused }) as never;
    bus.emit('queue', {
      event: { ...base, type: 'ticket.finished' } as never,
      ticket: { ...t, state: 'done' },
      counter: counter(true, true),
    });
    await waitFor(() => lines('led3')[1] === '暂停服务', 3000, 'paused counter after finish');
    bus.emit('queue', { event: { ...base, seq: 1001, type: 'counter.resumed' } as never, counter: counter(true, false) });
    await waitFor(() => lines('led3')[1] === '欢迎光临', 3000, 'welcome after resume');
  });
});
