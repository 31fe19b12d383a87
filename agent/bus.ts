import { EventEmitter } from 'node:events';
import type { CounterState, QueueEvent, Ticket } from './queue/types.js';

/** Status a device supervisor reports; the manager board shows it. */
export type DeviceStatus = 'online' | 'offline' | 'paperOut' | 'paperNearEnd' | 'coverOpen' | 'cutterError' | 'degraded';

/** Keys of a counter caller keypad (呼叫器) or a console page. */
export type CounterKey = 'call' | 'recall' | 'skip' | 'transfer' | 'pause' | 'resume' | 'start' | 'finish' | 'confirm' | 'digit';

/**
 * Everything that crosses module boundaries inside the agent. Modules subscribe to what they
 * need (zigbee2mqtt-style extensions) so that the queue engine never knows a printer exists.
 */
export interface HallEvents {
  /** a committed queue event; ticket/counter are the states after it */
  queue: { event: QueueEvent; ticket?: Ticket; counter?: CounterState };
  'device.status': { deviceId: string; kind: string; status: DeviceStatus; detail?: string };
  'device.key': { deviceId: string; counter: string; key: CounterKey; digits?: string };
  'device.rating': { deviceId: string; counter: string; level: 1 | 2 | 3 | 4 | 5 };
  /** a 身份证 number read at a kiosk; never log it */
  /** clear number and name: in memory only, consumed by idcard-sessions.ts, never logged or sent on */
  'device.idcard': { deviceId: string; idNumber: string; name?: string };
  'print.done': { jobId: string; deviceId: string; ticketId?: string };
  'print.failed': { jobId: string; deviceId: string; ticketId?: string; reason: string };
}

export class HallBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  /**
   * `first`: run before the listeners already there. The devices take it for `queue`: a ticket's first
   * byte and an LED's call then leave before the socket.io fan-out (≈ 2 ms with 50 screens connected),
   * which the kiosk profile showed running ahead of the print.
   */
  on<K extends keyof HallEvents>(name: K, listener: (payload: HallEvents[K]) => void, o: { first?: boolean } = {}): () => void {
    // A throwing subscriber must not break the emitter (the queue has already committed).
    const safe = (payload: HallEvents[K]) => {
      try {
        listener(payload);
      } catch (err) {
        this.emitter.emit('listenerError', { name, err });
      }
    };
    if (o.first) this.emitter.prependListener(name, safe);
    else this.emitter.on(name, safe);
    return () => this.emitter.off(name, safe);
  }

  onListenerError(listener: (e: { name: string; err: unknown }) => void): void {
    this.emitter.on('listenerError', listener);
  }

  emit<K extends keyof HallEvents>(name: K, payload: HallEvents[K]): void {
    this.emitter.emit(name, payload);
  }
}
