// Golden frames of the polled keypad protocol, the led-crc16 framing and Modbus exception replies,
// written from docs/protocols/*.md and from the published CRC-16/CCITT-FALSE check value.
import { describe, expect, it } from 'vitest';
import { crc16modbus, fromHex, hex } from '../../drivers/bytes.js';
import { CRC_CMD, crc16ccitt, createCrcDecoder, encodeCrcFrame, ledCrc16 } from '../../drivers/protocols/led-crc16.js';
import {
  ackOf,
  createModbusDecoder,
  createModbusDisplayProtocol,
  encodeModbusDisplay,
  modbusAnswers,
} from '../../drivers/protocols/modbus-display.js';
import { createKeypadDecoder, encodeEventReply, encodeIdle, encodePoll, interpretReply } from '../../drivers/protocols/rs485-keypad.js';
import { VirtualDisplay } from '../../drivers/sim/display.js';

/** a response frame from its bytes, CRC appended (CRC-16/MODBUS, checked against modbus-serial in golden.test.ts) */
const withCrcHex = (h: string) => {
  const b = [...fromHex(h)];
  const crc = crc16modbus(b);
  return Uint8Array.from([...b, crc & 0xff, crc >> 8]);
};

const h = (b: Uint8Array) => hex(b).toUpperCase();

describe('rs485-keypad poll protocol (docs/protocols/rs485-keypad.md)', () => {
  it('poll, idle, event replies and the ack byte match the doc', () => {
    expect(h(encodePoll(3, 0))).toBe('FF 68 03 03 68 03 20 00 23 16');
    expect(h(encodeIdle(3))).toBe('FF 68 02 02 68 03 30 33 16');
    expect(h(encodeEventReply(3, 1, { type: 'key', key: 'call' }))).toBe('FF 68 04 04 68 03 31 01 01 36 16');
    expect(h(encodePoll(3, 1))).toBe('FF 68 03 03 68 03 20 01 24 16');
    expect(h(encodeEventReply(12, 7, { type: 'rating', level: 5 }))).toBe('FF 68 04 04 68 0C 32 07 05 4A 16');
  });

  it('replies decode to events with their sequence number; seq 0 and polls are not replies', () => {
    const got: unknown[] = [];
    const dec = createKeypadDecoder((f) => got.push(interpretReply(f)));
    dec(fromHex('FF 68 04 04 68 03 31 01 01 36 16'));
    dec(encodeEventReply(1, 2, { type: 'key', key: 'transfer', digits: '5' }));
    dec(fromHex('FF 68 04 04 68 03 31 00 01 35 16')); // seq 0 is never used
    dec(encodePoll(3, 0));
    expect(got).toEqual([
      { type: 'event', addr: 3, seq: 1, event: { type: 'key', addr: 3, key: 'call' } },
      { type: 'event', addr: 1, seq: 2, event: { type: 'key', addr: 1, key: 'transfer', digits: '5' } },
      undefined,
      undefined,
    ]);
  });
});

describe('led-crc16 (docs/protocols/led-crc16.md)', () => {
  it('CRC-16/CCITT-FALSE check value: "123456789" → 0x29B1', () => {
    expect(crc16ccitt(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });

  it('frames of the doc, and a text round trip through the simulator', () => {
    expect(h(ledCrc16.encode(1, { type: 'clear' })[0]!)).toBe('02 01 43 00 00 B6 89 03');
    expect(h(encodeCrcFrame(1, CRC_CMD.ack, [CRC_CMD.clear]))).toBe('02 01 41 00 01 43 E8 E3 03');
    const frame = ledCrc16.encode(3, { type: 'show', lines: ['A023', '3号窗口'] })[0]!;
    expect(h(frame.subarray(0, 17))).toBe('02 03 54 00 0C 41 30 32 33 0A 33 BA C5 B4 B0 BF DA');
    const sim = new VirtualDisplay('crc', ledCrc16);
    const replies: Uint8Array[] = [];
    sim.attach({ send: (b) => replies.push(b), unplug: () => {} });
    sim.input(Uint8Array.of(0x13, 0x02, 0x37, ...frame)); // noise first
    expect(sim.screen(3).lines).toEqual(['A023', '3号窗口']);
    const acks: unknown[] = [];
    ledCrc16.createAckDecoder((a) => acks.push(a))(replies[0]!);
    expect(acks).toEqual([{ addr: 3, ok: true }]);
  });

  it('a nak with reason busy is a retryable failure; a broken CRC is no frame', () => {
    const acks: unknown[] = [];
    const dec = ledCrc16.createAckDecoder((a) => acks.push(a));
    dec(encodeCrcFrame(2, CRC_CMD.nak, [CRC_CMD.text, 2]));
    const bad = encodeCrcFrame(2, CRC_CMD.ack, [CRC_CMD.text]);
    bad[bad.length - 2]! ^= 0xff;
    dec(bad);
    expect(acks).toEqual([{ addr: 2, ok: false, busy: true, fatal: false, detail: 'display nak: busy' }]);
    const frames: unknown[] = [];
    createCrcDecoder((f) => frames.push(f))(bad);
    expect(frames).toEqual([]);
  });
});

describe('Modbus display: exceptions and register maps (docs/protocols/modbus-display.md)', () => {
  it('exception replies are failures with the code and meaning', () => {
    const acks: ReturnType<typeof ackOf>[] = [];
    const dec = createModbusDecoder('host', (f) => acks.push(ackOf(f)));
    // 07 86 06 (busy) and 07 90 02 (illegal data address); CRCs from modbus-serial's own crc16 (utils/crc16.js)
    dec(fromHex('07 86 06 22 63'));
    dec(fromHex('07 90 02 2D C0'));
    expect(acks.map(({ raw, ...a }) => a)).toEqual([
      { addr: 7, ok: false, busy: true, fatal: false, detail: 'Modbus exception 06: server device busy' },
      { addr: 7, ok: false, busy: false, fatal: true, detail: 'Modbus exception 02: illegal data address' },
    ]);
  });

  it('a response answers only the request whose unit, function and echoed register/quantity it carries', () => {
    const req16 = encodeModbusDisplay(7, { type: 'show', lines: ['A023'] })[0]!; // 07 10 01 00 00 20 40 …
    const answer = (hex: string) => {
      let got: ReturnType<typeof ackOf> | undefined;
      createModbusDecoder('host', (f) => (got = ackOf(f)))(withCrcHex(hex));
      return got!;
    };
    expect(modbusAnswers(req16, answer('07 10 01 00 00 20'))).toBe(true);
    expect(modbusAnswers(req16, answer('08 10 01 00 00 20'))).toBe(false); // another unit
    expect(modbusAnswers(req16, answer('07 10 02 00 00 20'))).toBe(false); // another start address
    expect(modbusAnswers(req16, answer('07 10 01 00 00 10'))).toBe(false); // another quantity
    expect(modbusAnswers(req16, answer('07 06 01 00 00 20'))).toBe(false); // another function
    expect(modbusAnswers(req16, answer('07 90 06'))).toBe(true); // its exception
    expect(modbusAnswers(req16, answer('07 86 06'))).toBe(false); // the exception of another function
    const req06 = encodeModbusDisplay(7, { type: 'brightness', level: 50 })[0]!;
    expect(modbusAnswers(req06, answer('07 06 00 01 00 32'))).toBe(true);
    expect(modbusAnswers(req06, answer('07 06 00 01 00 33'))).toBe(false); // echoes another value
  });

  it('the default map is the present one; a model map moves the text and splits non-contiguous lines', () => {
    expect(h(encodeModbusDisplay(1, { type: 'clear' })[0]!)).toBe('01 06 00 00 00 01 48 0A');
    const map = { textRegister: 0x0200, lineStride: 0x20, lineRegisters: 8, lines: 3, encoding: 'gbk' as const };
    const frames = encodeModbusDisplay(9, { type: 'show', lines: ['A023', '请到9号窗口'] }, map, 2);
    expect(frames.map((f) => h(f.subarray(0, 7)))).toEqual(['09 10 02 00 00 08 10', '09 10 02 20 00 08 10']);
    const sim = new VirtualDisplay('mb', createModbusDisplayProtocol({ ...map }, 2));
    sim.attach({ send: () => {}, unplug: () => {} });
    for (const f of frames) sim.input(f);
    expect(sim.screen(9).lines).toEqual(['A023', '请到9号窗口']);
  });
});
