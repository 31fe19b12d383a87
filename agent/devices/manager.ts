// DeviceManager: the hall's device policy, above a DeviceHost (drivers/host/contract.ts). It decides
// what each device shows or prints and wires device events to the hall bus; the host (this process,
// or a composite that routes some device ids to satellite PCs) does the talking. Nothing here
// imports a protocol or a transport (tests/agent/devices/import-graph.test.ts).
//   queue ticket.issued        → ticket printed on the printer of the kiosk that issued it
//   ticket.called / recalled   → that counter's LED display + keypad display, hall display(s)
//   counter paused/closed/…    → that counter's display text
//   keypad key / rating        → device.key / device.rating (with the keypad's counter)
//   ID reader                  → device.idcard (valid GB 11643 numbers only; never logged)
//   every status change        → device.status, and list()
import { type CounterLedState, counterIdleLines } from '../led-policy.js';
import { randomUUID } from 'node:crypto';
import type { DeviceEvent, DeviceHost, HostDeviceInfo, PrintBlock } from '../../drivers/host/contract.js';
import type { HallBus, HallEvents } from '../bus.js';
import type { ServiceDef, Ticket } from '../queue/types.js';
import { type HallInfo, noticeLayout, ticketLayout } from './layouts.js';
import type { DeviceInfo, DeviceManager, NoticeSlip } from './manager-contract.js';
import { type PolicyDevice, printerForKiosk } from './printers.js';

type LogFn = (objOrMsg: unknown, msg?: string) => void;

/** What a host may offer beyond the contract: the /sim page's simulators, the bound drivers (tests). */
export interface SimCapableHost extends DeviceHost {
  simState?(): unknown;
  simAction?(deviceId: string, action: Record<string, unknown>): unknown;
  readonly bound?: readonly unknown[];
}

export interface DeviceManagerOptions {
  host: SimCapableHost;
  /**
   * every configured device the host may list, on this PC (devices[]) and on satellite PCs
   * (satellites[].devices): its counter, and printer options (paper width, kiosk) for the print policy
   */
  devices: PolicyDevice[];
  bus: HallBus;
  hall: HallInfo;
  services: ServiceDef[];
  logger: { debug?: LogFn; info: LogFn; warn: LogFn; error: LogFn };
  /** a print job not delivered within this time fails with print.failed (default 20 s) */
  printDeadlineMs?: number;
  /** the counter's open/paused state, for the idle text its LED shows at start-up (agent/led-policy.ts) */
  counterState?: (counter: string) => CounterLedState | undefined;
}

export interface DeviceManagerImpl extends DeviceManager {
  /** the host's bound drivers, for tests and the bench (local host only) */
  readonly bound: readonly any[];
  readonly host: SimCapableHost;
  /** prints a ticket directly (the bus path calls this too); resolves with the job id */
  printTicket(ticket: Ticket, extra?: { waitingAhead?: number; estimateMinutes?: number; kiosk?: string }): { jobId: string };
}

export function createDeviceManager(opts: DeviceManagerOptions): DeviceManagerImpl {
  const { bus, logger, hall, host } = opts;
  const deadline = opts.printDeadlineMs ?? 20_000;
  const services = new Map(opts.services.map((s) => [s.id, s]));
  const configured = new Map(opts.devices.map((d) => [d.id, d]));
  const unsubs: Array<() => void> = [];
  const recentCalls: string[] = [];
  let started = false;

  const info = (id: string): HostDeviceInfo | undefined => host.list().find((d) => d.id === id);

  const onDeviceEvent = (e: DeviceEvent) => {
    switch (e.type) {
      case 'key':
      case 'rating': {
        // the hall's config says which counter a device serves (for a satellite's: the primary's config)
        const counter = configured.get(e.deviceId)?.counter ?? info(e.deviceId)?.counter;
        if (!counter) {
          logger.warn({ deviceId: e.deviceId }, 'keypad event from a device bound to no counter; ignored');
          return;
        }
        if (e.type === 'key') {
          const payload: HallEvents['device.key'] = { deviceId: e.deviceId, counter, key: e.key };
          if (e.digits !== undefined) payload.digits = e.digits;
          bus.emit('device.key', payload);
        } else {
          bus.emit('device.rating', { deviceId: e.deviceId, counter, level: e.level });
          void host.execute(e.deviceId, { type: 'awaitRating', awaiting: false });
        }
        return;
      }
      case 'idcard': {
        const payload: HallEvents['device.idcard'] = { deviceId: e.deviceId, idNumber: e.idNumber };
        if (e.name) payload.name = e.name;
        bus.emit('device.idcard', payload);
        return;
      }
      case 'idcard.error':
        // the number itself is never logged, not even when invalid
        logger.warn({ deviceId: e.deviceId, reason: e.reason }, 'ID card read rejected');
        return;
      case 'status': {
        const payload: HallEvents['device.status'] = {
          deviceId: e.deviceId,
          kind: info(e.deviceId)?.kind ?? configured.get(e.deviceId)?.kind ?? 'unknown',
          status: e.status,
        };
        if (e.detail !== undefined) payload.detail = e.detail;
        bus.emit('device.status', payload);
        return;
      }
    }
  };

  const submit = (blocks: PrintBlock[], ticketId: string | undefined, printerId: string | undefined, why: string): { jobId: string } => {
    const jobId = randomUUID();
    const base = ticketId === undefined ? { jobId } : { jobId, ticketId };
    if (!printerId) {
      // async, like a real failure, so callers can subscribe after getting the job id
      setImmediate(() => bus.emit('print.failed', { ...base, deviceId: '', reason: why }));
      return { jobId };
    }
    void host.execute(printerId, { type: 'print', jobId, blocks, deadlineMs: deadline }).then((r) => {
      if (r.ok) bus.emit('print.done', { ...base, deviceId: printerId });
      else {
        logger.warn({ deviceId: printerId, jobId, ticketId }, `print failed: ${r.reason}`);
        bus.emit('print.failed', { ...base, deviceId: printerId, reason: r.reason });
      }
    });
    return { jobId };
  };

  const printers = () => host.list().filter((d) => d.kind === 'ticketPrinter');

  const printTicket: DeviceManagerImpl['printTicket'] = (ticket, extra = {}) => {
    const pick = printerForKiosk(printers(), configured, extra.kiosk);
    const blocks = ticketLayout({
      ticket,
      service: services.get(ticket.service),
      hall,
      waitingAhead: extra.waitingAhead,
      estimateMinutes: extra.estimateMinutes,
      paperWidth: pick.printer ? configured.get(pick.printer)?.options?.paperWidth : undefined,
    });
    return submit(blocks, ticket.id, pick.printer, pick.why);
  };

  const forCounter = (counter: string | undefined, kind: string) => host.list().filter((d) => d.kind === kind && d.counter === counter);

  const show = (d: HostDeviceInfo, lines: string[]) => void host.execute(d.id, { type: 'show', lines: lines.slice(0, d.lines ?? 2) });

  const showCounter = (counter: string | undefined, lines: string[], keypadText: string) => {
    if (!counter) return;
    for (const d of forCounter(counter, 'counterDisplay')) show(d, lines);
    for (const d of forCounter(counter, 'keypad')) void host.execute(d.id, { type: 'keypadText', text: keypadText });
  };

  const onQueue = ({ event, ticket, counter: counterNow }: HallEvents['queue']) => {
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    switch (event.type) {
      case 'ticket.issued': {
        if (!ticket || event.data.print === false) return;
        const kiosk = typeof event.data.kiosk === 'string' ? event.data.kiosk : undefined;
        printTicket(ticket, { waitingAhead: num(event.data.waitingAhead), estimateMinutes: num(event.data.estimateMinutes), kiosk });
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
          recentCalls.length = Math.min(recentCalls.length, 8);
        }
        for (const d of host.list()) if (d.kind === 'hallDisplay') show(d, recentCalls);
        return;
      }
      case 'ticket.finished':
      case 'counter.resumed':
      case 'counter.opened':
      case 'ticket.skipped':
      case 'ticket.transferred': {
        // the counter is free again: 欢迎光临 only while it is open and not paused, else 暂停服务
        const id = event.counter ?? ticket?.counter ?? '';
        // the citizen rates now: the counter's rating pads are polled at full rate until they do
        if (event.type === 'ticket.finished' && id)
          for (const d of forCounter(id, 'ratingPad')) void host.execute(d.id, { type: 'awaitRating', awaiting: true });
        const lines = counterIdleLines(id, counterNow ?? opts.counterState?.(id));
        showCounter(id, lines, lines[1] === '欢迎光临' ? '----' : 'PAUSE');
        return;
      }
      case 'counter.paused':
      case 'counter.closed':
        showCounter(event.counter, [`${event.counter}号窗口`, event.type === 'counter.paused' ? '暂停服务' : '停止服务'], 'PAUSE');
        return;
    }
  };

  return {
    get bound() {
      return host.bound ?? [];
    },
    host,
    printTicket,

    async start() {
      if (started) return;
      started = true;
      unsubs.push(bus.on('queue', onQueue, { first: true }), host.onEvent(onDeviceEvent));
      await host.start();
      for (const d of host.list()) {
        if (d.kind === 'counterDisplay' && d.counter) show(d, counterIdleLines(d.counter, opts.counterState?.(d.counter)));
        if (d.kind === 'hallDisplay') show(d, ['欢迎光临', hall.name]);
      }
      logger.info({ devices: host.list().length }, 'devices started');
    },

    async stop() {
      started = false;
      for (const u of unsubs.splice(0)) u();
      await host.stop();
    },

    list(): DeviceInfo[] {
      return host.list().map((d) => {
        const out: DeviceInfo = { id: d.id, kind: d.kind, protocol: d.protocol, transport: d.transport, status: d.status, since: d.since };
        if (d.counter !== undefined) out.counter = d.counter;
        if (d.detail !== undefined) out.detail = d.detail;
        return out;
      });
    },

    async printNotice(slip: NoticeSlip) {
      const service = services.get(slip.service) ?? opts.services.find((s) => s.name.zh === slip.service);
      const blocks = noticeLayout({
        service,
        serviceId: slip.service,
        missingMaterialIds: slip.missingMaterialIds,
        counter: slip.counter,
        staffId: slip.staffId,
        ticketNumber: slip.ticketNumber,
        returnCode: slip.returnCode,
        hall,
        now: slip.at ?? Date.now(),
      });
      const pick = printerForKiosk(printers(), configured, undefined);
      return submit(blocks, undefined, pick.printer, pick.why);
    },

    simState: () => host.simState?.() ?? [],
    simAction: (deviceId, action) => {
      if (!host.simAction) throw new Error('this hall has no simulated devices');
      return host.simAction(deviceId, action);
    },
  };
}
