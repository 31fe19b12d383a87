import { HallBus, type HallEvents } from '../../../agent/bus.js';
import { createDeviceManager, type DeviceManagerOptions } from '../../../agent/devices/manager.js';
import type { ServiceDef, Ticket } from '../../../agent/queue/types.js';
import type { DeviceConfig } from '../../../drivers/config.js';
import { LocalDeviceHost, type LocalHostOptions } from '../../../drivers/host/local.js';

/** The policy over a local device host, as agent/hall.ts builds it. */
export function deviceManager(o: Omit<DeviceManagerOptions, 'host'> & { devices: DeviceConfig[] } & LocalHostOptions) {
  const { printer, pad, display, serialFactory, busTimeoutMs, onWire, ...rest } = o;
  const host = new LocalDeviceHost(o.devices, { printer, pad, display, serialFactory, busTimeoutMs, onWire });
  return createDeviceManager({ ...rest, host });
}

export async function waitFor<T>(fn: () => T | undefined | false, timeoutMs = 2000, what = 'condition'): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function recorder(bus: HallBus) {
  const events: Array<{ name: keyof HallEvents; payload: unknown }> = [];
  for (const name of ['device.status', 'device.key', 'device.rating', 'device.idcard', 'print.done', 'print.failed'] as const)
    bus.on(name, (payload) => events.push({ name, payload }));
  return {
    events,
    of<K extends keyof HallEvents>(name: K): HallEvents[K][] {
      return events.filter((e) => e.name === name).map((e) => e.payload as HallEvents[K]);
    },
  };
}

export const logs: string[] = [];
export const logger = {
  info: (o: unknown, m?: string) => logs.push(JSON.stringify([o, m])),
  warn: (o: unknown, m?: string) => logs.push(JSON.stringify([o, m])),
  error: (o: unknown, m?: string) => logs.push(JSON.stringify([o, m])),
};

export const hall = {
  name: '合肥市蜀山区户政服务大厅',
  phones: { consult: '0551-12345678', complaint: '12345' },
  ticketUrlBase: 'https://hall.example/t/',
};

export const services: ServiceDef[] = [
  {
    id: 'idcard',
    prefix: 'A',
    name: { zh: '身份证办理', en: 'ID card' },
    description: { zh: '', en: '' },
    materials: [
      { id: 'hukou', name: { zh: '户口簿', en: 'Hukou' }, source: { zh: '户籍所在地派出所', en: '' }, required: true },
      { id: 'photo', name: { zh: '照片回执', en: 'Photo receipt' }, required: false },
    ],
    conditions: [],
    process: [],
    fee: { zh: '20元', en: '20 CNY' },
    expectedMinutes: 8,
  },
];

let seq = 0;
export function ticket(over: Partial<Ticket> = {}): Ticket {
  seq++;
  return {
    id: `t${seq}-${Math.random().toString(36).slice(2, 8)}`,
    number: `A${String(seq).padStart(3, '0')}`,
    service: 'idcard',
    channel: 'normal',
    state: 'waiting',
    day: '2025-01-02',
    issuedAt: Date.now(),
    recalls: 0,
    ...over,
  };
}

export function issue(bus: HallBus, t: Ticket, data: Record<string, unknown> = {}) {
  bus.emit('queue', {
    event: {
      seq: ++seq,
      at: Date.now(),
      type: 'ticket.issued',
      ticketId: t.id,
      data: { waitingAhead: 3, estimateMinutes: 12, ...data },
    } as never,
    ticket: t,
  });
}

export function call(bus: HallBus, t: Ticket, counter: string, type = 'ticket.called') {
  bus.emit('queue', {
    event: { seq: ++seq, at: Date.now(), type, ticketId: t.id, counter, data: {} } as never,
    ticket: { ...t, state: 'called', counter },
  });
}

export { HallBus };
