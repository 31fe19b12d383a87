// DeviceManager: binds the configured devices to drivers and wires them to the hall bus.
//   queue ticket.issued        → ticket printed (first ticketPrinter, or event.data.printer / .kiosk)
//   ticket.called / recalled   → that counter's LED display + keypad display, hall display(s)
//   counter paused/closed/…    → that counter's display text
//   keypad key / rating        → device.key / device.rating (with the keypad's counter)
//   ID reader                  → device.idcard (valid GB 11643 numbers only; never logged)
//   every status change        → device.status, and list()
import { randomUUID } from 'node:crypto';
import type { HallBus, HallEvents } from '../bus.js';
import type { DeviceConfig } from '../../drivers/config.js';
import { encodeEscPos } from '../../drivers/protocols/escpos.js';
import type { IdReadEvent } from '../../drivers/protocols/idcard.js';
import type { PrinterOptions } from '../../drivers/devices/printer.js';
import type { SerialPortFactory } from '../../drivers/transports/serial.js';
import type { ServiceDef, Ticket } from '../queue/types.js';
import { type BoundDevice, type PadEvent, bindDevices } from './bind.js';
import { type HallInfo, noticeLayout, ticketLayout } from './layouts.js';
import type { DeviceInfo, DeviceManager, NoticeSlip } from './manager-contract.js';
import { simAction, simState } from './sim-control.js';

type LogFn = (objOrMsg: unknown, msg?: string) => void;

export interface DeviceManagerOptions {
  devices: DeviceConfig[];
  bus: HallBus;
  hall: HallInfo;
  services: ServiceDef[];
  logger: { debug?: LogFn; info: LogFn; warn: LogFn; error: LogFn };
  /** a print job not delivered within this time fails with print.failed (default 20 s) */
  printDeadlineMs?: number;
  /** printer heartbeat tuning (tests, bench) */
  printer?: PrinterOptions;
  /** tests: serialport's SerialPortMock */
  serialFactory?: SerialPortFactory;
}

export interface DeviceManagerImpl extends DeviceManager {
  /** the bound drivers, for tests and the bench */
  readonly bound: readonly BoundDevice[];
  /** prints a ticket directly (the bus path calls this too); resolves with the job id */
  printTicket(ticket: Ticket, extra?: { waitingAhead?: number; estimateMinutes?: number; printer?: string }): { jobId: string };
}

const IDLE = (counter: string) => [`${counter}号窗口`, '欢迎光临'];

export function createDeviceManager(opts: DeviceManagerOptions): DeviceManagerImpl {
  const { bus, logger, hall } = opts;
  const deadline = opts.printDeadlineMs ?? 20_000;
  const services = new Map(opts.services.map((s) => [s.id, s]));
  const unsubs: Array<() => void> = [];
  const recentCalls: string[] = [];
  let started = false;

  const onPad = (cfg: DeviceConfig, e: PadEvent) => {
    if (e.type !== 'key' && e.type !== 'rating') return;
    if (!cfg.counter) {
      logger.warn({ deviceId: cfg.id }, 'keypad event from a device bound to no counter; ignored');
      return;
    }
    if (e.type === 'key') {
      const payload: HallEvents['device.key'] = { deviceId: cfg.id, counter: cfg.counter, key: e.key };
      if (e.digits !== undefined) payload.digits = e.digits;
      bus.emit('device.key', payload);
    } else bus.emit('device.rating', { deviceId: cfg.id, counter: cfg.counter, level: e.level });
  };

  const onIdRead = (cfg: DeviceConfig, e: IdReadEvent) => {
    // the number itself is never logged, not even when invalid
    if (e.type === 'invalid') logger.warn({ deviceId: cfg.id, reason: e.reason }, 'ID card read rejected');
    else bus.emit('device.idcard', { deviceId: cfg.id, idNumber: e.idNumber });
  };

  const bound = bindDevices(
    opts.devices,
    {
      onPad,
      onIdRead,
      log: (level, msg, deviceId) => (level === 'debug' ? logger.debug?.({ deviceId }, msg) : logger[level]({ deviceId }, msg)),
    },
    { printer: opts.printer, deps: { serialFactory: opts.serialFactory } },
  );

  for (const d of bound) {
    d.cell.onChange((status, detail) => {
      const payload: HallEvents['device.status'] = { deviceId: d.cfg.id, kind: d.cfg.kind, status };
      if (detail !== undefined) payload.detail = detail;
      bus.emit('device.status', payload);
    });
  }

  const printers = bound.filter((d) => d.printer);
  const pickPrinter = (name?: string): BoundDevice | undefined =>
    (name && printers.find((p) => p.cfg.id === name || p.cfg.options?.kiosk === name)) || printers[0];

  const submit = (bytes: Uint8Array, ticketId: string | undefined, printerName?: string): { jobId: string } => {
    const jobId = randomUUID();
    const p = pickPrinter(printerName);
    const base = ticketId === undefined ? { jobId } : { jobId, ticketId };
    if (!p?.printer) {
      // async, like a real failure, so callers can subscribe after getting the job id
      setImmediate(() => bus.emit('print.failed', { ...base, deviceId: '', reason: 'no ticket printer configured' }));
      return { jobId };
    }
    p.printer.print(jobId, bytes, deadline).then(
      () => bus.emit('print.done', { ...base, deviceId: p.cfg.id }),
      (err: Error) => {
        logger.warn({ deviceId: p.cfg.id, jobId, ticketId }, `print failed: ${err.message}`);
        bus.emit('print.failed', { ...base, deviceId: p.cfg.id, reason: err.message });
      },
    );
    return { jobId };
  };

  const printTicket: DeviceManagerImpl['printTicket'] = (ticket, extra = {}) => {
    const p = pickPrinter(extra.printer);
    const cmds = ticketLayout({
      ticket,
      service: services.get(ticket.service),
      hall,
      waitingAhead: extra.waitingAhead,
      estimateMinutes: extra.estimateMinutes,
      paperWidth: p?.cfg.options?.paperWidth,
    });
    return submit(encodeEscPos(cmds), ticket.id, extra.printer);
  };

  const forCounter = (counter: string | undefined, kind: DeviceConfig['kind']) =>
    bound.filter((d) => d.cfg.kind === kind && d.cfg.counter === counter);

  const showCounter = (counter: string | undefined, lines: string[], keypadText: string) => {
    if (!counter) return;
    for (const d of forCounter(counter, 'counterDisplay')) void d.display?.show(lines);
    for (const d of forCounter(counter, 'keypad')) void d.keypad?.showText(keypadText);
  };

  const onQueue = ({ event, ticket }: HallEvents['queue']) => {
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    switch (event.type) {
      case 'ticket.issued': {
        if (!ticket || event.data.print === false) return;
        const printer =
          typeof event.data.printer === 'string' ? event.data.printer : typeof event.data.kiosk === 'string' ? event.data.kiosk : undefined;
        printTicket(ticket, { waitingAhead: num(event.data.waitingAhead), estimateMinutes: num(event.data.estimateMinutes), printer });
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
        for (const d of bound) if (d.cfg.kind === 'hallDisplay') void d.display?.show(recentCalls.slice());
        return;
      }
      case 'ticket.finished':
      case 'counter.resumed':
      case 'counter.opened':
        showCounter(event.counter ?? ticket?.counter, IDLE(event.counter ?? ticket?.counter ?? ''), '----');
        return;
      case 'counter.paused':
      case 'counter.closed':
        showCounter(event.counter, [`${event.counter}号窗口`, event.type === 'counter.paused' ? '暂停服务' : '停止服务'], 'PAUSE');
        return;
    }
  };

  return {
    bound,
    printTicket,

    async start() {
      if (started) return;
      started = true;
      unsubs.push(bus.on('queue', onQueue));
      for (const d of bound) {
        if (d.printer) d.printer.start();
        else d.link.start();
        if (d.cfg.kind === 'counterDisplay' && d.cfg.counter) void d.display?.show(IDLE(d.cfg.counter));
        if (d.cfg.kind === 'hallDisplay') void d.display?.show(['欢迎光临', hall.name]);
      }
      logger.info({ devices: bound.length }, 'devices started');
    },

    async stop() {
      started = false;
      for (const u of unsubs.splice(0)) u();
      for (const d of bound) {
        d.display?.stop();
        d.keypad?.stop();
      }
      await Promise.all(bound.map((d) => (d.printer ? d.printer.stop() : d.link.stop())));
    },

    list(): DeviceInfo[] {
      return bound.map((d) => {
        const info: DeviceInfo = {
          id: d.cfg.id,
          kind: d.cfg.kind,
          protocol: d.cfg.protocol,
          transport: d.link.transport.describe,
          status: d.cell.status,
          since: d.cell.since,
        };
        if (d.cfg.counter !== undefined) info.counter = d.cfg.counter;
        if (d.cell.detail !== undefined) info.detail = d.cell.detail;
        return info;
      });
    },

    async printNotice(slip: NoticeSlip) {
      const service = services.get(slip.service) ?? opts.services.find((s) => s.name.zh === slip.service);
      const p = pickPrinter();
      const cmds = noticeLayout({
        service,
        serviceId: slip.service,
        missingMaterialIds: slip.missingMaterialIds,
        counter: slip.counter,
        staffId: slip.staffId,
        ticketNumber: slip.ticketNumber,
        returnCode: slip.returnCode,
        hall,
        now: Date.now(),
        paperWidth: p?.cfg.options?.paperWidth,
      });
      return submit(encodeEscPos(cmds), undefined);
    },

    simState: () => simState(bound),
    simAction: (deviceId, action) => simAction(bound, deviceId, action),
  };
}
