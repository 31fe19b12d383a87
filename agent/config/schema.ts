import { PROTOCOLS } from '../../drivers/registry/index.js';
import { bool, int, list, literal, obj, oneOf, optional, str, tagged, type Spec } from './spec.js';

// The hall config file (YAML). Keys mirror DESIGN's glossary; see config/demo-hall.yaml.

const text = obj({ zh: str({ max: 2000 }), en: str({ max: 2000 }) }, 'an object { zh, en }');
const id = (hint: string) => str({ max: 40, pattern: /^[A-Za-z0-9_.-]+$/, hint });

export const BAUD_RATES = [2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;

const transport = tagged('type', {
  serial: obj({
    type: literal('serial'),
    path: str({ max: 300, hint: 'a serial device path such as /dev/ttyUSB0' }),
    /** unset = the protocol's default rate (the SAM ID-card reader: 115200), else 9600 */
    baudRate: optional(oneOf(BAUD_RATES)),
    /** framing: unset = the protocol's default (Modbus RTU 8E1), else 8N1 */
    dataBits: optional(oneOf([7, 8] as const)),
    parity: optional(oneOf(['none', 'even', 'odd'] as const)),
    stopBits: optional(oneOf([1, 2] as const)),
    /** flow control: RTS/CTS (hardware) or XON/XOFF (software), not both */
    rtscts: optional(bool()),
    xonxoff: optional(bool()),
  }),
  hid: obj({ type: literal('hid'), vendorId: int({ min: 0, max: 0xffff }), productId: int({ min: 0, max: 0xffff }) }),
  tcp: obj({ type: literal('tcp'), host: str({ max: 255, hint: 'a host name or IP address' }), port: int({ min: 1, max: 65535 }) }),
  sim: obj({ type: literal('sim') }),
});

/** Protocol options: any object here; each protocol's registry entry checks its own keys (load.ts). */
const protocolOptions: Spec<Record<string, unknown>> = {
  describe: 'an object of protocol options',
  check(value, path, issues) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push({ path, expected: 'an object of protocol options', got: value });
      return {};
    }
    return value as Record<string, unknown>;
  },
};

const device = obj({
  id: id('a device id of letters, digits, - _ .'),
  kind: oneOf(['ticketPrinter', 'counterDisplay', 'hallDisplay', 'keypad', 'ratingPad', 'idReader'] as const),
  protocol: oneOf(PROTOCOLS.map((p) => p.name)),
  transport,
  counter: optional(id('a counter id from counters[]')),
  address: optional(int({ min: 0, max: 255 })),
  options: optional(protocolOptions),
});

const material = obj({ id: id('a material id'), name: text, source: optional(text), required: optional(bool(), true) });

const service = obj({
  id: id('a service id'),
  prefix: str({ min: 1, max: 1, pattern: /^[A-Z]$/, hint: 'one capital letter A–Z' }),
  name: text,
  description: text,
  materials: list(material),
  conditions: optional(list(text), []),
  process: optional(list(text), []),
  fee: text,
  expectedMinutes: int({ min: 1, max: 240 }),
  dailyCap: optional(int({ min: 1, max: 9999 })),
});

const counter = obj({
  id: id('a counter id such as "3"'),
  name: text,
  services: list(id('a service id'), { min: 1 }),
  senior: optional(bool(), false),
  green: optional(bool(), false),
  backupCounter: optional(id('a counter id')),
  /** 自动叫号: call the next ticket as soon as the counter is free */
  autoCall: optional(bool(), false),
});

const staff = obj({
  id: id('a staff number such as A1001'),
  name: str({ max: 40 }),
  pin: str({ min: 4, max: 12, pattern: /^\d+$/, hint: 'a PIN of 4–12 digits' }),
  photo: optional(str({ max: 300 })),
  counters: optional(list(id('a counter id'))),
});

export const hallConfigSpec = obj({
  hall: obj({
    name: str({ max: 100 }),
    code: id('a hall code of letters, digits, - _ .'),
    timezone: optional(str({ max: 60 }), 'Asia/Shanghai'),
    phones: obj({ consult: str({ max: 40 }), complaint: str({ max: 40 }) }),
    notices: optional(list(text), []),
    secret: optional(str({ min: 16, max: 200, hint: 'a secret of at least 16 characters (or set HALLQ_SECRET)' })),
  }),
  server: optional(
    obj({
      host: optional(str({ max: 255 }), '127.0.0.1'),
      port: optional(int({ min: 0, max: 65535 }), 8080),
      dataDir: optional(str({ max: 500 }), 'data'),
      publicUrl: optional(str({ max: 300, pattern: /^https?:\/\//, hint: 'a URL starting with http:// or https://' })),
    }),
    {},
  ),
  queue: optional(
    obj({
      numberWidth: optional(int({ min: 2, max: 5 })),
      seniorPerNormal: optional(obj({ senior: int({ min: 1, max: 10 }), normal: int({ min: 0, max: 20 }) })),
      starvationMinutes: optional(int({ min: 1, max: 600 })),
      appointmentGraceMinutes: optional(int({ min: 0, max: 240 })),
      rejoinBehind: optional(int({ min: 0, max: 50 })),
      perIdDailyLimit: optional(int({ min: 1, max: 50 })),
      maxRecalls: optional(int({ min: 0, max: 10 })),
    }),
    {},
  ),
  voice: optional(
    obj({ repeat: optional(int({ min: 1, max: 5 }), 1), chime: optional(bool(), true), leadIn: optional(str({ max: 60 })) }),
    {},
  ),
  kiosk: optional(
    obj({
      idleSeconds: optional(int({ min: 10, max: 600 }), 30),
      /** a ticket the printer could not take within this time is failed and shown on the kiosk screen instead */
      printDeadlineSeconds: optional(int({ min: 2, max: 600 }), 20),
    }),
    {},
  ),
  rating: optional(obj({ timeoutSeconds: optional(int({ min: 5, max: 600 }), 30) }), {}),
  board: optional(obj({ waitAlertMinutes: optional(int({ min: 1, max: 600 }), 30) }), {}),
  auth: obj({
    guidePin: str({ min: 4, max: 12, pattern: /^\d+$/, hint: 'a PIN of 4–12 digits' }),
    managerPin: str({ min: 4, max: 12, pattern: /^\d+$/, hint: 'a PIN of 4–12 digits' }),
  }),
  staff: list(staff, { min: 1 }),
  services: list(service, { min: 1, max: 26 }),
  counters: list(counter, { min: 1, max: 99 }),
  devices: optional(list(device), []),
});

type SpecValue<S> = S extends { check(...args: never[]): infer T } ? T : never;
export type RawHallConfig = SpecValue<typeof hallConfigSpec>;
