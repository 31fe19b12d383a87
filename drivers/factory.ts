// Transport from config. The HID module is only touched when an HID device is configured.
import type { TransportConfig } from './config.js';
import type { VirtualDevice } from './sim/base.js';
import { HidTransport } from './transports/hid.js';
import { type SerialPortFactory, SerialTransport } from './transports/serial.js';
import { SimTransport } from './transports/sim.js';
import { TcpTransport } from './transports/tcp.js';
import type { Transport } from './transports/types.js';

export interface TransportDeps {
  /** the virtual device behind a { type: 'sim' } transport */
  sim?: VirtualDevice;
  serialFactory?: SerialPortFactory;
}

export function createTransport(cfg: TransportConfig, deps: TransportDeps = {}): Transport {
  switch (cfg.type) {
    case 'serial':
      return new SerialTransport({ path: cfg.path, baudRate: cfg.baudRate, factory: deps.serialFactory });
    case 'tcp':
      return new TcpTransport(cfg.host, cfg.port);
    case 'hid':
      return new HidTransport(cfg.vendorId, cfg.productId);
    case 'sim':
      if (!deps.sim) throw new Error('sim transport needs a virtual device');
      return new SimTransport(deps.sim);
  }
}
