// The hall's device policy for devices on satellite PCs, applied through a DeviceHost: the same
// rules agent/devices/manager.ts applies to the primary's own devices (a called number on that
// counter's display and keypad, the last calls on the hall displays, the ticket on the kiosk's
// printer; keys, ratings and card reads onto the bus). It exists because today's manager drives its
// drivers directly; once the devices helper's policy runs on a DeviceHost, the lead hands it
// `new CompositeHost([local, hub.host])` and this file goes.
import { randomUUID } from 'node:crypto';
import type { DeviceHost } from '../../drivers/host/contract.js';
import type { HallBus, HallEvents } from '../bus.js';
import type { RemoteDeviceConfig } from '../config/load.js';
import { type HallInfo, noticeLayout, ticketLayout } from '../devices/layouts.js';
import type { NoticeSlip } from '../devices/manager-contract.js';
import type { ServiceDef } from '../queue/types.js';
import { escposToBlocks } from './print-blocks.js';

interface Log {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface RemotePolicyOptions {
  bus: HallBus;
  host: DeviceHost;
  devices: RemoteDeviceConfig[];
  /** ids of the primary's own ticket printers (they keep precedence, as today) */
  localPrinters: string[];
  services: ServiceDef[];
  hall: HallInfo;
  printDeadlineMs: number;
  logger: Log;
}

export interface RemotePolicy {
  /** true when this ticket.issued prints on a satellite's printer (the local manager must not print it) */
  takesPrint(payload: HallEvents['queue']): boolean;
  /** a notice slip on the first satellite printer, when the primary has none of its own */
  printNotice(slip: NoticeSlip): { jobId: string } | undefined;
  start(): void;
  stop(): void;
}

const IDLE = (counter: string) => [`${counter}号窗口`, '欢迎光临'];

export function createRemotePolicy(o: RemotePolicyOptions): RemotePolicy {
  const { bus, host, logger } = o;
  const byId = new Map(o.devices.map((d) => [d.id, d]));
  const printers = o.devices.filter((d) => d.kind === 'ticketPrinter');
  const services = new Map(o.services.map((s) => [s.id, s]));
  const recentCalls: string[] = [];
  const offs: Array<() => void> = [];

  const pickPrinter = (name: string | undefined): RemoteDeviceConfig | undefined => {
    if (name) {
      const named = printers.find((p) => p.id === name || p.options?.kiosk === name);
      if (named) return named;
      if (o.localPrinters.includes(name)) return undefined;
    }
    return o.localPrinters.length ? undefined : printers[0];
  };
  const printerName = (data: Record<string, unknown>) =>
    typeof data.printer === 'string' ? data.printer : typeof data.kiosk === 'string' ? data.kiosk : undefined;

  /** what each display or keypad should show: a satellite PC that restarts gets it again when its device reports online */
  const shown = new Map<string, Parameters<DeviceHost['execute']>[1]>();
  const send = (deviceId: string, command: Parameters<DeviceHost['execute']>[1]) => {
    shown.set(deviceId, command);
    void host.execute(deviceId, command).then((r) => {
      if (!r.ok) logger.debug({ deviceId, reason: r.reason }, `${command.type} on a satellite device failed`);
    });
  };

  const print = (p: RemoteDeviceConfig, blocks: ReturnType<typeof escposToBlocks>, ticketId?: string) => {
    const jobId = randomUUID();
    const base = ticketId === undefined ? { jobId, deviceId: p.id } : { jobId, deviceId: p.id, ticketId };
    void host.execute(p.id, { type: 'print', jobId, blocks, deadlineMs: o.printDeadlineMs }).then((r) => {
      if (r.ok) bus.emit('print.done', base);
      else {
        logger.warn({ deviceId: p.id, jobId, ticketId, reason: r.reason }, 'print on a satellite printer failed');
        bus.emit('print.failed', { ...base, reason: r.reason });
      }
    });
    return { jobId };
  };

  const forCounter = (counter: string, kind: RemoteDeviceConfig['kind']) =>
    o.devices.filter((d) => d.kind === kind && d.counter === counter);
  const showCounter = (counter: string | undefined, lines: string[], keypadText: string) => {
    if (!counter) return;
    for (const d of forCounter(counter, 'counterDisplay')) send(d.id, { type: 'show', lines });
    for (const d of forCounter(counter, 'keypad')) send(d.id, { type: 'keypadText', text: keypadText });
  };

  const onQueue = (payload: HallEvents['queue']) => {
    const { event, ticket } = payload;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    switch (event.type) {
      case 'ticket.issued': {
        if (!ticket || event.data.print === false) return;
        const p = pickPrinter(printerName(event.data));
        if (!p) return;
        const cmds = ticketLayout({
          ticket,
          service: services.get(ticket.service),
          hall: o.hall,
          waitingAhead: num(event.data.waitingAhead),
          estimateMinutes: num(event.data.estimateMinutes),
          paperWidth: p.options?.paperWidth,
        });
        print(p, escposToBlocks(cmds), ticket.id);
        return;
      }
      case 'ticket.called':
      case 'ticket.recalled': {
        const counter = event.counter ?? ticket?.counter;
        if (!ticket || !counter) return;
        const call = `${ticket.number} 请到${counter}号窗口`;
        showCounter(counter, [ticket.number, `请到${counter}号窗口`], ticket.number);
        if (event.type === 'ticket.called' || recentCalls[0] !== call) {
          recentCalls.unshift(call);
          recentCalls.length = Math.min(recentCalls.length, 2);
        }
        for (const d of o.devices) if (d.kind === 'hallDisplay') send(d.id, { type: 'show', lines: recentCalls.slice() });
        return;
      }
      case 'ticket.finished':
      case 'counter.resumed':
      case 'counter.opened': {
        const counter = event.counter ?? ticket?.counter ?? '';
        showCounter(counter, IDLE(counter), '----');
        return;
      }
      case 'counter.paused':
      case 'counter.closed':
        showCounter(event.counter, [`${event.counter}号窗口`, event.type === 'counter.paused' ? '暂停服务' : '停止服务'], 'PAUSE');
        return;
    }
  };

  const onDeviceEvent: Parameters<DeviceHost['onEvent']>[0] = (e) => {
    const d = byId.get(e.deviceId);
    if (!d) return;
    switch (e.type) {
      case 'key':
      case 'rating': {
        if (!d.counter) {
          logger.warn({ deviceId: d.id }, 'keypad event from a satellite device bound to no counter; ignored');
          return;
        }
        if (e.type === 'rating') bus.emit('device.rating', { deviceId: d.id, counter: d.counter, level: e.level });
        else {
          const p: HallEvents['device.key'] = { deviceId: d.id, counter: d.counter, key: e.key };
          if (e.digits !== undefined) p.digits = e.digits;
          bus.emit('device.key', p);
        }
        return;
      }
      case 'idcard':
        bus.emit('device.idcard', { deviceId: d.id, idNumber: e.idNumber });
        return;
      case 'idcard.error':
        logger.warn({ deviceId: d.id, reason: e.reason }, 'ID card read rejected on a satellite');
        return;
      case 'status': {
        const p: HallEvents['device.status'] = { deviceId: d.id, kind: d.kind, status: e.status };
        if (e.detail !== undefined) p.detail = e.detail;
        bus.emit('device.status', p);
        if (e.status === 'online' && d.kind !== 'ticketPrinter') {
          const again =
            shown.get(d.id) ?? (d.kind === 'counterDisplay' && d.counter ? { type: 'show', lines: IDLE(d.counter) } : undefined);
          if (again) send(d.id, again);
        }
        return;
      }
    }
  };

  return {
    takesPrint(payload) {
      const { event, ticket } = payload;
      return event.type === 'ticket.issued' && !!ticket && event.data.print !== false && pickPrinter(printerName(event.data)) !== undefined;
    },
    printNotice(slip) {
      const p = pickPrinter(undefined);
      if (!p) return undefined;
      const service = services.get(slip.service) ?? o.services.find((s) => s.name.zh === slip.service);
      const cmds = noticeLayout({
        ...slip,
        service,
        serviceId: slip.service,
        hall: o.hall,
        now: Date.now(),
        paperWidth: p.options?.paperWidth,
      });
      return print(p, escposToBlocks(cmds));
    },
    start() {
      if (offs.length) return;
      offs.push(bus.on('queue', onQueue), host.onEvent(onDeviceEvent));
    },
    stop() {
      for (const off of offs.splice(0)) off();
    },
  };
}
