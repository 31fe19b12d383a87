// A DeviceHost over today's drivers (agent/devices/bind.ts), for the satellite PC. Deliberately
// thin: the devices helper's local host (drivers/host/local.ts) replaces it at merge; the satellite
// only ever sees the DeviceHost interface.
import type { DeviceConfig } from '../../drivers/config.js';
import type { CommandResult, DeviceCommand, DeviceEvent, DeviceHost, HostDeviceInfo } from '../../drivers/host/contract.js';
import { encodeEscPos } from '../../drivers/protocols/escpos.js';
import { type BoundDevice, bindDevices } from '../devices/bind.js';
import { blocksToEscpos } from './print-blocks.js';

type Log = (level: 'debug' | 'info' | 'warn', msg: string, deviceId?: string) => void;

export function createLocalHost(devices: DeviceConfig[], log: Log): DeviceHost {
  const listeners = new Set<(e: DeviceEvent) => void>();
  const emit = (e: DeviceEvent) => {
    for (const l of listeners) l(e);
  };
  const bound: BoundDevice[] = bindDevices(devices, {
    onPad(cfg, e) {
      if (e.type === 'key')
        emit(
          e.digits === undefined
            ? { type: 'key', deviceId: cfg.id, key: e.key }
            : { type: 'key', deviceId: cfg.id, key: e.key, digits: e.digits },
        );
      else if (e.type === 'rating') emit({ type: 'rating', deviceId: cfg.id, level: e.level });
    },
    onIdRead(cfg, e) {
      if (e.type === 'id') emit({ type: 'idcard', deviceId: cfg.id, idNumber: e.idNumber });
      else emit({ type: 'idcard.error', deviceId: cfg.id, reason: e.reason });
    },
    log,
  });
  for (const d of bound) {
    d.cell.onChange((status, detail) =>
      emit(detail === undefined ? { type: 'status', deviceId: d.cfg.id, status } : { type: 'status', deviceId: d.cfg.id, status, detail }),
    );
  }
  const byId = new Map(bound.map((d) => [d.cfg.id, d]));

  return {
    async start() {
      for (const d of bound) {
        if (d.printer) d.printer.start();
        else d.link.start();
      }
    },
    async stop() {
      for (const d of bound) {
        d.display?.stop();
        d.keypad?.stop();
      }
      await Promise.all(bound.map((d) => (d.printer ? d.printer.stop() : d.link.stop())));
    },
    list(): HostDeviceInfo[] {
      return bound.map((d) => {
        const info: HostDeviceInfo = {
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
    async execute(deviceId: string, command: DeviceCommand): Promise<CommandResult> {
      const d = byId.get(deviceId);
      if (!d) return { ok: false, reason: `no device ${deviceId} on this PC` };
      try {
        switch (command.type) {
          case 'print':
            if (!d.printer) return { ok: false, reason: `${deviceId} is not a printer` };
            await d.printer.print(
              command.jobId,
              encodeEscPos(blocksToEscpos(command.blocks, d.cfg.options?.paperWidth === 80 ? 48 : 32)),
              command.deadlineMs ?? 20_000,
            );
            return { ok: true };
          case 'show':
            if (!d.display) return { ok: false, reason: `${deviceId} is not a display` };
            // the display re-sends until acked and again after a reconnect: taken is done
            await d.display.show(command.lines);
            return { ok: true };
          case 'keypadText':
            if (!d.keypad) return { ok: false, reason: `${deviceId} is not an RS-485 keypad` };
            await d.keypad.showText(command.text);
            return { ok: true };
          case 'beep':
            return { ok: false, reason: `${deviceId}: beep is not in its protocol` };
        }
      } catch (err) {
        return { ok: false, reason: err instanceof Error ? err.message : String(err) };
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
