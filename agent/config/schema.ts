import { TERMINAL_KINDS } from '../../common/vocabulary.js';
import { PROTOCOLS } from '../../drivers/registry/index.js';
import { MAX_RATING_REASONS, RATING_REASON_CODE } from '../../common/rating-reasons.js';
import { bool, int, list, literal, obj, oneOf, optional, record, str, tagged, type Spec } from './spec.js';

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

/** A device on a satellite PC, as the primary knows it: the satellite's own config says how it is wired. */
const remoteDevice = obj({
  id: id('a device id of letters, digits, - _ .'),
  kind: oneOf(['ticketPrinter', 'counterDisplay', 'hallDisplay', 'keypad', 'ratingPad', 'idReader'] as const),
  counter: optional(id('a counter id from counters[]')),
  options: optional(
    obj({
      paperWidth: optional(oneOf([58, 80] as const)),
      kiosk: optional(str({ max: 40 })),
    }),
  ),
});

/** role: primary — the satellite PCs allowed to connect, each with its token and the devices it may act for. */
const satellite = obj({
  id: id('a satellite id of letters, digits, - _ . such as kiosk-pc'),
  /** the token in clear (at least 16 characters), or tokenSha256: its SHA-256 in hex, so the primary's file holds no secret */
  token: optional(str({ min: 16, max: 200, hint: 'a token of at least 16 characters' })),
  tokenSha256: optional(str({ min: 64, max: 64, pattern: /^[0-9a-fA-F]{64}$/, hint: 'the SHA-256 of the token as 64 hex digits' })),
  /** a revoked satellite is refused (and logged) until this is removed */
  revoked: optional(bool(), false),
  /** the board warns when the satellite's clock is off by more than this */
  maxClockSkewSeconds: optional(int({ min: 1, max: 3600 }), 5),
  devices: list(remoteDevice, { min: 1 }),
});

/** role: satellite — where the primary is and who this PC is (see config/demo-satellite.yaml). */
export const primaryLink = obj({
  url: str({ max: 300, pattern: /^https?:\/\/[^/]+\/?$/, hint: 'the primary agent URL such as http://192.0.2.10:8080' }),
  /** the hall CA (PEM) that signed the primary's certificate; needed for an https:// url */
  ca: optional(str({ max: 500, hint: 'the path of the hall CA PEM file copied from the hall PC, e.g. /etc/hallq/hall-ca.pem' })),
  satellite: id('this satellite id, as listed in the primary config satellites[].id'),
  token: str({ min: 16, max: 200, hint: 'this satellite token (at least 16 characters), as set in the primary config' }),
  /** buffered events sent per round trip */
  batchSize: optional(int({ min: 1, max: 500 }), 100),
});

export const satelliteDeviceSpec = device;

const material = obj({
  id: id('a material id'),
  name: text,
  source: optional(text),
  required: optional(bool(), true),
  /** 容缺: may be brought later (default: when not required); a hall may accept a required one late */
  acceptLate: optional(bool()),
});

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
  /** where it is in the hall, shown on the display's tile and latest call: { zh: 左侧, en: left } */
  location: optional(text),
  /** 自动叫号: call the next ticket as soon as the counter is free */
  autoCall: optional(bool(), false),
  /** reserved for 学生批量 school batches */
  schoolBatch: optional(bool(), false),
});

const ratingReason = obj(
  {
    code: str({ max: 40, pattern: RATING_REASON_CODE, hint: 'a code of lower-case letters, digits and "-" such as "waiting"' }),
    // a whole word on one line of the 1024×600 pad at elderly size (four to a row)
    zh: str({ max: 8, hint: 'the Chinese name shown on the rating pad, 1–8 characters such as 等候时间长' }),
    en: str({ max: 32, hint: 'the English name, 1–32 characters such as "Long wait"' }),
  },
  'a reason { code, zh, en }',
);

/** 1–8 reasons (two rows of four on the pad); duplicates are refused by load.ts */
const ratingReasons: Spec<{ code: string; zh: string; en: string }[]> = {
  describe: 'a list of 1–8 reasons',
  check(value, path, issues) {
    if (!Array.isArray(value) || value.length < 1 || value.length > MAX_RATING_REASONS) {
      issues.push({
        path,
        expected: `a list of 1–${MAX_RATING_REASONS} reasons, each { code, zh, en } (leave rating.reasons out for the default 态度, 效率, 业务不熟, 流程繁琐, 其他)`,
        got: Array.isArray(value) ? `${value.length} reasons` : value,
      });
      return [];
    }
    return value.map((v, i) => ratingReason.check(v, `${path}[${i}]`, issues));
  },
};

/** digits, or the stored form `hallq hash-pin` prints, so the config file need not hold PINs in clear */
const pin = () =>
  str({
    min: 4,
    max: 100,
    pattern: /^(\d{4,12}|scrypt\$16384\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43})$/,
    hint: 'a PIN of 4–12 digits, or its hash from `hallq hash-pin`',
  });

const staff = obj({
  id: id('a staff number such as A1001'),
  name: str({ max: 40 }),
  pin: pin(),
  photo: optional(str({ max: 300 })),
  counters: optional(list(id('a counter id'))),
});

/** a browser screen registered to the hall (docs/security.md): it pairs with a one-time code for its own token */
const terminal = obj({
  id: id('a terminal id such as kiosk-1'),
  kind: oneOf(TERMINAL_KINDS),
  /** pad and counter terminals: the counter they belong to */
  counter: optional(id('a counter id from counters[]')),
  /** kiosk: the ID-card readers (device ids) whose reads go to this kiosk only */
  readers: optional(list(id('an idReader device id'))),
  name: optional(str({ max: 60 })),
});

const hm = str({ min: 5, max: 5, pattern: /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, hint: 'a time "HH:mm" such as "08:30"' });
const range = obj({ from: hm, to: hm }, 'an object { from: "HH:mm", to: "HH:mm" }');
const ranges = list(range, { min: 1 });
const dayStr = str({ min: 10, max: 10, pattern: /^\d{4}-\d{2}-\d{2}$/, hint: 'a day "YYYY-MM-DD"' });
const weekday = oneOf(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const);
const counterRef = id('a counter id from counters[]');

/** The hall calendar (agent/queue/calendar.ts); without it the hall is always open. */
const calendar = obj({
  alwaysOpen: optional(bool(), false),
  graceMinutes: optional(int({ min: 0, max: 120 }), 0),
  hours: optional(
    obj({
      mon: optional(list(range)),
      tue: optional(list(range)),
      wed: optional(list(range)),
      thu: optional(list(range)),
      fri: optional(list(range)),
      sat: optional(list(range)),
      sun: optional(list(range)),
    }),
    {},
  ),
  flexible: optional(list(obj({ days: list(weekday, { min: 1 }), ranges, counters: optional(list(counterRef, { min: 1 })) })), []),
  weekendDuty: optional(
    list(
      obj({
        day: oneOf(['sat', 'sun'] as const),
        weeks: optional(oneOf(['all', 'odd', 'even'] as const), 'all'),
        ranges,
        counters: list(counterRef, { min: 1 }),
      }),
    ),
    [],
  ),
  holidays: optional(
    list(
      obj({
        year: int({ min: 2000, max: 2100 }),
        off: list(obj({ from: dayStr, to: dayStr, name: str({ max: 20 }) })),
        workdays: optional(list(dayStr), []),
      }),
    ),
    [],
  ),
  makeUpHours: optional(list(range)),
  appointmentOnly: optional(list(obj({ day: dayStr, ranges, counters: optional(list(counterRef, { min: 1 })) })), []),
  idPickup: optional(obj({ days: list(weekday, { min: 1 }), ranges })),
});

export const hallConfigSpec = obj({
  /** primary (default): runs the queue and the screens; satellite: see agent/satellite/config.ts */
  role: optional(oneOf(['primary', 'satellite'] as const), 'primary'),
  /** the demo hall: demo PINs and secret allowed, simulator routes on, pairing links printed at start-up */
  demo: optional(bool(), false),
  /** /api/v1/sim/* outside the demo (a test bench); signed-in staff only */
  simulator: optional(bool(), false),
  hall: obj({
    name: str({ max: 100 }),
    code: id('a hall code of letters, digits, - _ .'),
    timezone: optional(str({ max: 60 }), 'Asia/Shanghai'),
    phones: obj({
      consult: str({ max: 40 }),
      complaint: str({ max: 40 }),
      /** 投诉电话 at four levels for 信息公开: 省, 市, 县, 所 */
      complaintLevels: optional(
        obj({ province: str({ max: 40 }), city: str({ max: 40 }), county: str({ max: 40 }), station: str({ max: 40 }) }),
      ),
    }),
    notices: optional(list(text), []),
    secret: optional(str({ min: 16, max: 200, hint: 'a secret of at least 16 characters (or set HALLQ_SECRET)' })),
  }),
  server: optional(
    obj({
      host: optional(str({ max: 255 }), '127.0.0.1'),
      port: optional(int({ min: 0, max: 65535 }), 8080),
      dataDir: optional(str({ max: 500 }), 'data'),
      publicUrl: optional(str({ max: 300, pattern: /^https?:\/\//, hint: 'a URL starting with http:// or https://' })),
      /** names the screens use for this PC besides its IPs, localhost and publicUrl's host (a DNS name); others get 421 */
      hostNames: optional(list(str({ max: 255, pattern: /^[A-Za-z0-9.-]+$/, hint: 'a host name such as hall-pc.local' }), { max: 20 }), []),
      /** HTTPS on the hall LAN: the agent's key and certificate (deploy/install.sh --tls writes them; agent/config/tls.ts) */
      tls: optional(
        obj({
          key: str({ max: 500, hint: "the path of the agent's private key (PEM), e.g. /etc/hallq/tls/agent.key" }),
          cert: str({ max: 500, hint: "the path of the agent's certificate (PEM), e.g. /etc/hallq/tls/agent.pem" }),
          /** a plain-HTTP port that only redirects browsers to https (nothing else is answered there) */
          httpPort: optional(int({ min: 1, max: 65535 })),
        }),
      ),
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
    obj({
      repeat: optional(int({ min: 1, max: 5 }), 1),
      chime: optional(bool(), true),
      leadIn: optional(str({ max: 60 })),
      /** a call missed while the display was disconnected is still announced if younger than this */
      replayMaxAgeSeconds: optional(int({ min: 0, max: 3600 }), 120),
      /** how often the agent re-checks its voice (espeak-ng or a recorded clip pack) */
      checkMinutes: optional(int({ min: 1, max: 60 }), 5),
    }),
    {},
  ),
  kiosk: optional(
    obj({
      idleSeconds: optional(int({ min: 10, max: 600 }), 30),
      /** a ticket the printer could not take within this time is failed and shown on the kiosk screen instead */
      printDeadlineSeconds: optional(int({ min: 2, max: 600 }), 20),
      /** tickets one kiosk may issue per minute (after a burst of half that); guards the number range */
      ticketsPerMinute: optional(int({ min: 1, max: 600 }), 30),
    }),
    {},
  ),
  rating: optional(
    obj({
      timeoutSeconds: optional(int({ min: 5, max: 600 }), 30),
      /** the 差评 reasons the pad and the phone page offer (the province's list); absent = DESIGN's five */
      reasons: optional(ratingReasons),
    }),
    {},
  ),
  board: optional(obj({ waitAlertMinutes: optional(int({ min: 1, max: 600 }), 30) }), {}),
  calendar: optional(calendar),
  reports: optional(obj({ cycleEndDay: optional(int({ min: 1, max: 31 }), 25) }), {}),
  cases: optional(
    obj({
      /** share of satisfied ratings (levels 4–5) sampled for 回访, in percent */
      callbackSamplePercent: optional(int({ min: 0, max: 100 }), 0),
      returnCodeDays: optional(int({ min: 1, max: 365 }), 30),
      petitionWorkingDays: optional(int({ min: 1, max: 60 }), 15),
      /** AB岗 by person: staff id → the colleague who sees and works their cases */
      backupStaff: optional(record({ pattern: /^[A-Za-z0-9_.-]{1,40}$/, hint: 'a staff id from staff[]' }, id('a staff id from staff[]'))),
    }),
    {},
  ),
  auth: obj({
    guidePin: pin(),
    managerPin: pin(),
  }),
  staff: list(staff, { min: 1 }),
  services: list(service, { min: 1, max: 26 }),
  counters: list(counter, { min: 1, max: 99 }),
  devices: optional(list(device), []),
  satellites: optional(list(satellite), []),
  terminals: optional(list(terminal), []),
  /** upward sync to the city/provincial hub (agent/sync, docs/hub.md); absent = nothing is sent */
  upstream: optional(
    obj({
      url: str({
        max: 300,
        pattern: /^https?:\/\/[^/]+/,
        hint: 'the hub URL starting with http:// or https://, e.g. http://127.0.0.1:8090',
      }),
      hallId: optional(id('the hall id registered at the hub (default: hall.code)')),
      /** the CA that signed the hub's certificate (PEM file, relative to this config file) */
      ca: optional(str({ max: 500, hint: 'the path of the PEM file of the CA that signed the hub certificate' })),
      secret: optional(
        str({ min: 16, max: 200, hint: 'the secret shared with the hub, at least 16 characters (or set HALLQ_UPSTREAM_SECRET)' }),
      ),
      batchSize: optional(int({ min: 1, max: 2000 }), 500),
      timeoutSeconds: optional(int({ min: 1, max: 300 }), 20),
      /** longest wait between retries while the hub is unreachable (the wait doubles up to this) */
      backoffMaxSeconds: optional(int({ min: 1, max: 3600 }), 300),
      /** how often the hall exchanges online-booking quotas and bookings with the hub (docs/booking-sync.md) */
      bookingsPollSeconds: optional(int({ min: 1, max: 3600 }), 15),
    }),
  ),
});

type SpecValue<S> = S extends { check(...args: never[]): infer T } ? T : never;
export type RawHallConfig = SpecValue<typeof hallConfigSpec>;
