// `hallq devices`: what is plugged in, as config lines to paste. Serial ports come from serialport's
// list (USB adapters carry vendor:product, which the udev rules use); HID devices from node-hid,
// loaded only here and only on demand so a PC without libusb still gets its serial list. A path
// given on the command line (a pty, /dev/ttyS0 without USB ids) is probed by opening it.
import { parse, showHelp } from './index.js';

const hex4 = (n: number | string | undefined) =>
  n === undefined ? undefined : (typeof n === 'number' ? n.toString(16) : n.replace(/^0x/i, '')).toLowerCase().padStart(4, '0');

export interface SerialFound {
  path: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  serialNumber?: string;
  config: string;
}
export interface HidFound {
  vendorId: string;
  productId: string;
  product?: string;
  manufacturer?: string;
  path?: string;
  usagePage?: number;
  config: string;
}
export interface Probe {
  path: string;
  opens: boolean;
  error?: string;
  config: string;
}
export interface DevicesReport {
  serial: SerialFound[];
  hid: HidFound[] | { error: string };
  probed: Probe[];
}

const serialLine = (path: string) => `transport: { type: serial, path: ${path}, baudRate: 9600 }`;

async function probe(path: string): Promise<Probe> {
  const { SerialPort } = await import('serialport');
  return new Promise((resolve) => {
    const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    const timer = setTimeout(() => resolve({ path, opens: false, error: 'open timed out after 3 s', config: serialLine(path) }), 3000);
    port.open((err) => {
      if (err) {
        clearTimeout(timer);
        resolve({ path, opens: false, error: err.message, config: serialLine(path) });
        return;
      }
      port.close(() => {
        clearTimeout(timer);
        resolve({ path, opens: true, config: serialLine(path) });
      });
    });
  });
}

export async function listDevices(paths: string[]): Promise<DevicesReport> {
  const { SerialPort } = await import('serialport');
  const ports = await SerialPort.list().catch(() => []);
  const serial: SerialFound[] = ports.map((p) => ({
    path: p.path,
    vendorId: hex4(p.vendorId),
    productId: hex4(p.productId),
    manufacturer: p.manufacturer,
    serialNumber: p.serialNumber,
    config: serialLine(p.path),
  }));
  let hid: DevicesReport['hid'];
  try {
    const { loadNodeHid } = await import('../../drivers/transports/hid.js');
    const HID = await loadNodeHid();
    const seen = new Set<string>();
    hid = [];
    for (const d of await HID.devicesAsync()) {
      const vid = hex4(d.vendorId)!;
      const pid = hex4(d.productId)!;
      // one line per device: interfaces of the same device repeat vendor:product
      if (seen.has(`${vid}:${pid}`)) continue;
      seen.add(`${vid}:${pid}`);
      hid.push({
        vendorId: vid,
        productId: pid,
        product: d.product,
        manufacturer: d.manufacturer,
        path: d.path,
        usagePage: d.usagePage,
        config: `transport: { type: hid, vendorId: 0x${vid}, productId: 0x${pid} }`,
      });
    }
  } catch (err) {
    const msg = (err as Error).message;
    hid = { error: /libusb/i.test(msg) ? msg : `${msg} (HID needs the Debian package libusb-1.0-0: apt-get install -y libusb-1.0-0)` };
  }
  const probed = [];
  for (const p of paths) probed.push(await probe(p));
  return { serial, hid, probed };
}

export async function devices(argv: string[]): Promise<number> {
  const args = parse(argv, { json: { type: 'boolean' } });
  if (args.values.help) return showHelp();
  const report = await listDevices(args.positionals);
  if (args.values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const out: string[] = ['串口 serial ports:'];
    if (report.serial.length === 0) out.push('  (none found)');
    for (const s of report.serial) {
      const ids = s.vendorId ? ` usb ${s.vendorId}:${s.productId}` : '';
      const who = [s.manufacturer, s.serialNumber && `serial ${s.serialNumber}`].filter(Boolean).join(', ');
      out.push(`  ${s.path}${ids}${who ? ` (${who})` : ''}`, `    ${s.config}`);
    }
    out.push('HID 设备 HID devices:');
    if (!Array.isArray(report.hid)) out.push(`  无法列出 cannot list: ${report.hid.error}`);
    else if (report.hid.length === 0) out.push('  (none found)');
    else
      for (const h of report.hid) {
        out.push(`  ${h.vendorId}:${h.productId} ${[h.manufacturer, h.product].filter(Boolean).join(' ')}`, `    ${h.config}`);
      }
    if (report.probed.length > 0) {
      out.push('探测 probed paths:');
      for (const p of report.probed)
        out.push(p.opens ? `  ${p.path}: 可以打开 opens` : `  ${p.path}: 无法打开 does not open: ${p.error}`, `    ${p.config}`);
    }
    console.log(out.join('\n'));
  }
  // a path the user named that cannot be opened is a failure; an unlistable HID bus is only reported
  return report.probed.every((p) => p.opens) ? 0 : 1;
}
