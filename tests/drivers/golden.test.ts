// Golden bytes for every encoder: the expected frames are written out by hand (checksums and CRCs
// computed independently), so a change in the wire format fails here.
import { describe, expect, it } from 'vitest';
import { crc16modbus, hex } from '../../drivers/bytes.js';
import { encodeEscPos, encodeStatusPoll, interpretStatus, statusBytesFor, textOutsideCodePage } from '../../drivers/protocols/escpos.js';
import { createEscPosPrinterDecoder, type PrinterEvent } from '../../drivers/protocols/escpos-decode.js';
import { encodeDisplay, encodeKey, encodeRating } from '../../drivers/protocols/rs485-keypad.js';
import { encodeLed, encodeLedAck } from '../../drivers/protocols/led-framed.js';
import { encodeModbusDisplay, encodeModbusResponse, createModbusDecoder } from '../../drivers/protocols/modbus-display.js';
import { toEscPos } from '../../drivers/host/print-layout.js';
import { DEFAULT_KEYMAP, encodeHidReport } from '../../drivers/protocols/hid-keymap.js';
import { encodeIdHid, encodeIdSerial, idCheckChar, isValidIdNumber } from '../../drivers/protocols/idcard.js';

describe('escpos encoder', () => {
  it('encodes a Chinese line, a double-size bold number, a QR and a cut', () => {
    const bytes = encodeEscPos([
      { op: 'init' },
      { op: 'text', text: '户政大厅', align: 'center' },
      { op: 'text', text: 'A023', width: 2, height: 2, bold: true, align: 'center' },
      { op: 'qr', data: 'http://h/t/1', moduleSize: 6 },
      { op: 'cut' },
    ]);
    expect(hex(bytes)).toBe(
      [
        '1b 40 1c 26', // init + Chinese mode
        '1b 61 01 bb a7 d5 fe b4 f3 cc fc 0a', // centre, 户政大厅 in GB18030, LF
        '1d 21 11 1b 45 01 41 30 32 33 0a', // 2x2 (GS ! alone sizes ASCII and Chinese alike), bold, A023
        '1d 28 6b 04 00 31 41 32 00', // QR model 2
        '1d 28 6b 03 00 31 43 06', // module size 6
        '1d 28 6b 03 00 31 45 31', // EC level M
        '1d 28 6b 0f 00 31 50 30 68 74 74 70 3a 2f 2f 68 2f 74 2f 31', // store 12 bytes
        '1d 28 6b 03 00 31 51 30 0a', // print
        '1d 56 41 00', // GS V 65 0: feed to the cutter, full cut
      ].join(' '),
    );
  });

  it('one size command for Chinese and ASCII, also at 3× and 4× (FS ! only knows 2×)', () => {
    const bytes = encodeEscPos([
      { op: 'init' },
      { op: 'text', text: '号', width: 3, height: 3 },
      { op: 'text', text: 'A1', width: 4, height: 4 },
    ]);
    expect(hex(bytes)).toBe('1b 40 1c 26 1d 21 22 ba c5 0a 1d 21 33 41 31 0a');
    expect(hex(bytes)).not.toContain('1c 21');
  });

  it('cuts with GS V 66 n: feed to the cutter (+ n units), then a partial cut', () => {
    expect(hex(encodeEscPos([{ op: 'cut', partial: true }]))).toBe('1d 56 42 00');
    expect(hex(encodeEscPos([{ op: 'cut', partial: true, feed: 24 }]))).toBe('1d 56 42 18');
    expect(hex(encodeEscPos([{ op: 'cut', feed: 999 }]))).toBe('1d 56 41 ff');
  });

  it('names the characters a GBK-only printer cannot print', () => {
    // 𠮷 (U+20BB7, a surname), 㐀 (CJK extension A) and an emoji are outside GBK; GB18030 has them all
    expect(textOutsideCodePage('户政大厅 𠮷先生 㐀 😀 ·—《》', 'gbk')).toEqual(['𠮷', '㐀', '😀']);
    expect(textOutsideCodePage('𠮷𠮷 and 𠮷', 'gbk')).toEqual(['𠮷']);
    expect(textOutsideCodePage('户政大厅 𠮷先生 😀', 'gb18030')).toEqual([]);
    expect(textOutsideCodePage('what? 身份证办理', 'gbk')).toEqual([]);
  });

  it('encodes status polls and maps replies', () => {
    expect(hex(encodeStatusPoll(4))).toBe('10 04 04');
    expect(interpretStatus({ 1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12 })).toBe('online');
    expect(interpretStatus({ 1: 0x1a, 2: 0x16, 3: 0x12, 4: 0x12 })).toBe('coverOpen');
    expect(interpretStatus({ 4: 0x7e })).toBe('paperOut');
    expect(interpretStatus({ 4: 0x1e })).toBe('paperNearEnd');
    expect(interpretStatus({ 3: 0x1a })).toBe('cutterError');
    expect(interpretStatus({ 1: 0x1a })).toBe('offline');
    expect(interpretStatus(statusBytesFor({ paper: 'out', coverOpen: false }))).toBe('paperOut');
    expect(interpretStatus(statusBytesFor({ paper: 'nearEnd', coverOpen: false }))).toBe('paperNearEnd');
  });

  it('the printer-side decoder reads back what the encoder wrote', () => {
    const events: PrinterEvent[] = [];
    const d = createEscPosPrinterDecoder((e) => events.push(e));
    const bytes = encodeEscPos([
      { op: 'init' },
      { op: 'text', text: '身份证办理', align: 'center', width: 1, height: 2 },
      { op: 'text', text: 'A023', width: 2, height: 2, align: 'center' },
      { op: 'qr', data: 'https://hall.example/t/xyz' },
      { op: 'cut', partial: true },
    ]);
    for (const b of bytes) d.push([b]); // one byte at a time: split frames must still decode
    expect(events.filter((e) => e.type !== 'init')).toEqual([
      { type: 'line', text: '身份证办理', size: '1x2', align: 'center', bold: false },
      { type: 'line', text: 'A023', size: '2x2', align: 'center', bold: false },
      { type: 'qr', data: 'https://hall.example/t/xyz', align: 'center' },
      { type: 'line', text: '', size: '2x2', align: 'center', bold: false },
      { type: 'cut', partial: true },
    ]);
  });
});

describe('rs485 keypad encoder', () => {
  it('key, rating and display frames', () => {
    expect(hex(encodeKey(3, 'call'))).toBe('ff 68 03 03 68 03 01 01 05 16');
    expect(hex(encodeRating(2, 5))).toBe('ff 68 03 03 68 02 02 05 09 16');
    expect(hex(encodeDisplay(1, 'A023'))).toBe('ff 68 06 06 68 01 81 41 30 32 33 58 16');
    expect(hex(encodeKey(1, 'digit', '7'))).toBe('ff 68 03 03 68 01 01 17 19 16');
    expect(hex(encodeKey(1, 'transfer', '5'))).toBe('ff 68 04 04 68 01 01 04 35 3b 16');
  });
});

describe('led-framed encoder', () => {
  it('clear, brightness, two Chinese lines, ack', () => {
    expect(hex(encodeLed(1, { type: 'clear' }))).toBe('aa 55 01 11 00 00 12 0d');
    expect(hex(encodeLed(2, { type: 'brightness', level: 100 }))).toBe('aa 55 02 12 01 00 0f 24 0d');
    expect(hex(encodeLed(1, { type: 'show', lines: ['A023', '请到3号窗口'] }))).toBe(
      'aa 55 01 10 12 00 02 04 41 30 32 33 0b c7 eb b5 bd 33 ba c5 b4 b0 bf da dd 0d',
    );
    expect(hex(encodeLedAck(1, 0x10))).toBe('aa 55 01 90 01 00 00 92 0d');
  });
});

describe('modbus display encoder', () => {
  it('CRC-16/Modbus reference value', () => {
    expect(crc16modbus([1, 3, 0, 0, 0, 10])).toBe(0xcdc5);
  });
  it('clear, brightness, text registers, response', () => {
    expect(hex(encodeModbusDisplay(1, { type: 'clear' })[0]!)).toBe('01 06 00 00 00 01 48 0a');
    expect(hex(encodeModbusDisplay(1, { type: 'brightness', level: 50 })[0]!)).toBe('01 06 00 01 00 32 59 df');
    const show = encodeModbusDisplay(1, { type: 'show', lines: ['A023', '3号窗口'] })[0]!;
    const z = (n: number) => Array(n).fill('00').join(' ');
    expect(hex(show)).toBe(`01 10 01 00 00 20 40 41 30 32 33 ${z(28)} 33 ba c5 b4 b0 bf da ${z(25)} 93 c3`);
    const frames: Uint8Array[] = [];
    createModbusDecoder('device', (f) => frames.push(encodeModbusResponse(f)))(show);
    expect(frames.map(hex)).toEqual(['01 10 01 00 00 20 c0 2d']);
  });
});

describe('hid keymap and id card encoders', () => {
  it('hid reports from the default keymap', () => {
    expect(hex(encodeHidReport(DEFAULT_KEYMAP, { type: 'key', key: 'call' }))).toBe('01 01 00 00 00 00 00 00');
    expect(hex(encodeHidReport(DEFAULT_KEYMAP, { type: 'rating', level: 4 }))).toBe('02 04 00 00 00 00 00 00');
  });
  it('id numbers: GB 11643 check digit, serial and keyboard frames', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('11010519491331002X')).toBe(false); // month 13
    expect(hex(encodeIdSerial('11010519491231002X'))).toBe('31 31 30 31 30 35 31 39 34 39 31 32 33 31 30 30 32 58 0d 0a');
    const reports = encodeIdHid('1X');
    expect(reports.map(hex)).toEqual([
      '00 00 1e 00 00 00 00 00',
      '00 00 00 00 00 00 00 00',
      '02 00 1b 00 00 00 00 00',
      '00 00 00 00 00 00 00 00',
      '00 00 28 00 00 00 00 00',
      '00 00 00 00 00 00 00 00',
    ]);
  });
});

describe('escpos: the feed before the cut travels in the cut command', () => {
  const blocks = [{ op: 'text' as const, text: 'A023' }, { op: 'feed' as const, lines: 3 }, { op: 'cut' as const }];
  const tail = (b: Uint8Array) => hex(b.subarray(b.length - 4));
  it('default: GS V 66 n with n = 3 lines × 30 motion units, and no ESC d', () => {
    const bytes = encodeEscPos(toEscPos(blocks, 80));
    expect(tail(bytes)).toBe('1d 56 42 5a');
    expect(hex(bytes)).not.toContain('1b 64');
  });
  it('feedInCut false (a model that ignores n): ESC d 3 then GS V 66 0, as before', () => {
    const bytes = encodeEscPos(toEscPos(blocks, 80, { feedInCut: false }));
    expect(hex(bytes)).toContain('1b 64 03');
    expect(tail(bytes)).toBe('1d 56 42 00');
  });
});
