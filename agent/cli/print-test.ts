// `hallq print-test <device>`: one test page on a ticket printer, through the same device host the
// agent uses (LocalDeviceHost: transport → link → EscPosPrinter, the page rendered for the printer's
// paper inside the host, confirmed by a status reply), so a page that comes out proves the port, the
// baud rate, the code page and the cutter together.
import type { DeviceConfig, TransportConfig } from '../../drivers/config.js';
import type { PrintBlock } from '../../drivers/host/contract.js';
import { paperColumns } from '../../drivers/host/print-layout.js';
import { loadConfigFile } from '../config/load.js';
import { CliFailure, parse, showHelp, UsageError } from './index.js';
import { DEMO_CONFIG } from './paths.js';

const BAUDS = [2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;

export function testPage(o: { hall: string; device: string; transport: string; paperWidth?: unknown; now: number }): PrintBlock[] {
  const cols = paperColumns(o.paperWidth);
  const time = new Date(o.now).toISOString().slice(0, 16).replace('T', ' ');
  return [
    // double height at normal width: 19 columns, one line even on 58 mm paper (double size would wrap)
    { op: 'text', text: '打印测试 PRINT TEST', height: 2, bold: true, align: 'center' },
    { op: 'text', text: o.hall, align: 'center' },
    { op: 'rule' },
    { op: 'text', text: `设备 device: ${o.device}` },
    { op: 'text', text: `接口 port: ${o.transport}` },
    { op: 'text', text: `纸宽 paper: ${cols} 列 columns` },
    { op: 'text', text: `时间 time: ${time} UTC` },
    { op: 'rule' },
    { op: 'text', text: '中文：户政服务大厅 身份证 户口迁移' },
    { op: 'text', text: 'A001', size: 3, bold: true, align: 'center' },
    { op: 'text', text: '1234567890'.repeat(Math.ceil(cols / 10)).slice(0, cols) },
    { op: 'qr', data: 'hallq print test', align: 'center' },
    { op: 'feed', lines: 1 },
    { op: 'text', text: '以上内容完整清晰即正常 all of the above legible = ok', align: 'center' },
    { op: 'cut' },
  ];
}

function describe(t: TransportConfig): string {
  if (t.type === 'serial') return `serial ${t.path} ${t.baudRate}`;
  if (t.type === 'tcp') return `tcp ${t.host}:${t.port}`;
  return t.type;
}

/** the page as the agent prints a ticket: host.execute(id, { type: 'print' }) on a one-device host */
export async function printPage(
  transport: TransportConfig,
  blocks: PrintBlock[],
  o: { paperWidth?: unknown; confirm: boolean; deadlineMs: number },
): Promise<void> {
  const { LocalDeviceHost } = await import('../../drivers/host/local.js');
  const cfg: DeviceConfig = { id: 'print-test', kind: 'ticketPrinter', protocol: 'escpos', transport };
  if (o.paperWidth !== undefined) cfg.options = { paperWidth: o.paperWidth };
  // a printer that answers no status request is write-only to us: the job counts once written, as in the agent
  const host = new LocalDeviceHost([cfg], o.confirm ? {} : { printer: { statusPolling: 'none' } });
  await host.start();
  try {
    const r = await host.execute(cfg.id, { type: 'print', jobId: `print-test-${Date.now()}`, blocks, deadlineMs: o.deadlineMs });
    if (!r.ok) throw new Error(r.reason);
  } finally {
    await host.stop();
  }
}

function transportFromArg(device: string, baud: number): TransportConfig | undefined {
  if (device.startsWith('/')) return { type: 'serial', path: device, baudRate: baud as (typeof BAUDS)[number] };
  const tcp = /^tcp:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(device);
  if (tcp) return { type: 'tcp', host: tcp[1]!, port: Number(tcp[2] ?? 9100) };
  return undefined;
}

export async function printTest(argv: string[]): Promise<number> {
  const args = parse(argv, { baud: { type: 'string' }, 'no-status': { type: 'boolean' }, timeout: { type: 'string' } });
  if (args.values.help) return showHelp();
  const [device, ...extra] = args.positionals;
  if (!device || extra.length > 0)
    throw new UsageError('print-test takes one device: a device id from the config, a serial path (/dev/ttyUSB0) or tcp://host:9100');
  const baudRaw = (args.values.baud as string | undefined) ?? '9600';
  const baud = Number(baudRaw);
  if (!BAUDS.includes(baud as (typeof BAUDS)[number]))
    throw new UsageError(`--baud: expected one of ${BAUDS.join(', ')}, got "${baudRaw}"`);
  const timeoutRaw = (args.values.timeout as string | undefined) ?? '15';
  const timeoutS = Number(timeoutRaw);
  if (!(timeoutS > 0 && timeoutS <= 120)) throw new UsageError(`--timeout: expected seconds from 1 to 120, got "${timeoutRaw}"`);

  let transport = transportFromArg(device, baud);
  let hall = 'hallq';
  let paperWidth: unknown;
  let label = device;
  if (!transport) {
    const file = (args.values.config as string | undefined) ?? process.env.HALLQ_CONFIG ?? DEMO_CONFIG;
    const config = loadConfigFile(file);
    hall = config.hall.name;
    const d = config.devices.find((x) => x.id === device);
    if (!d)
      throw new UsageError(
        `"${device}" is not a device id in ${file} (printers there: ${
          config.devices
            .filter((x) => x.kind === 'ticketPrinter')
            .map((x) => x.id)
            .join(', ') || 'none'
        }) nor a path (/dev/…) or tcp://host:port`,
      );
    if (d.kind !== 'ticketPrinter') throw new UsageError(`${file}: device ${device} is a ${d.kind}, not a ticketPrinter`);
    if (d.transport.type === 'sim')
      throw new UsageError(`${file}: device ${device} is simulated (transport: sim); its pages show on the /sim page of the running agent`);
    transport = d.transport as TransportConfig;
    paperWidth = d.options?.paperWidth;
    label = `${device} (${describe(transport)})`;
  }
  const blocks = testPage({ hall, device: label, transport: describe(transport), paperWidth, now: Date.now() });
  try {
    await printPage(transport, blocks, { paperWidth, confirm: !args.values['no-status'], deadlineMs: timeoutS * 1000 });
  } catch (err) {
    const msg = (err as Error).message;
    const hint = /not delivered/.test(msg)
      ? ' — the printer answered no status request: check port and baud rate; a printer that never answers status can be tested with --no-status'
      : '';
    throw new CliFailure(`打印失败 print failed on ${describe(transport)}: ${msg}${hint}`);
  }
  console.log(
    args.values['no-status']
      ? `测试页已发送 test page sent to ${describe(transport)} (not confirmed: --no-status)`
      : `测试页已打印 test page printed on ${describe(transport)} (confirmed by the printer's status reply)`,
  );
  return 0;
}
