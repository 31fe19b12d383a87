// Decoder fuzzing: random garbage with valid frames interleaved and cut at random points. Every
// valid frame must come out, in order (extra frames found inside garbage are tolerated), and no
// decoder may throw. Garbage includes torn frames and frames with a flipped byte: the nasty case
// where a fake header claims a long frame that swallows the next real one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, hex } from '../../drivers/bytes.js';
import { createEscPosPrinterDecoder } from '../../drivers/protocols/escpos-decode.js';
import { createStatusDecoder } from '../../drivers/protocols/escpos.js';
import { createHidKeymapDecoder, DEFAULT_KEYMAP } from '../../drivers/protocols/hid-keymap.js';
import { createIdHidDecoder, createIdSerialDecoder, encodeIdSerial, idCheckChar } from '../../drivers/protocols/idcard.js';
import { createLedDecoder, encodeLed } from '../../drivers/protocols/led-framed.js';
import { createModbusDecoder, encodeModbusDisplay, encodeModbusResponse } from '../../drivers/protocols/modbus-display.js';
import { createKeypadDecoder, encodeFrame } from '../../drivers/protocols/rs485-keypad.js';

const RUNS = { numRuns: 300, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) };
const randomBytes = fc.uint8Array({ maxLength: 40 });

/** garbage = random bytes, torn frames (a prefix) or frames with one byte flipped */
function junkOf(frameArb: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const torn = frameArb.chain((f) => fc.nat(Math.max(0, f.length - 1)).map((n) => f.slice(0, n)));
  const flipped = frameArb.chain((f) =>
    fc.tuple(fc.nat(f.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const g = f.slice();
      g[i] = (g[i] ?? 0) ^ x;
      return g;
    }),
  );
  return fc.oneof(randomBytes, torn, flipped);
}

/** frames interleaved with garbage, then re-chunked at random cut points */
function stream(frames: Uint8Array[], junk: Uint8Array[], cuts: number[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  frames.forEach((f, i) => {
    parts.push(junk[i] ?? new Uint8Array(0), f);
  });
  const all = concat(parts);
  const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, all.length]) {
    chunks.push(all.subarray(prev, p));
    prev = p;
  }
  return chunks;
}

function isSubsequence(needles: string[], hay: string[]): boolean {
  let j = 0;
  for (const h of hay) if (j < needles.length && h === needles[j]) j++;
  return j === needles.length;
}

const cutsArb = fc.array(fc.nat(), { maxLength: 20 });

/**
 * A fake header in the garbage whose length field happens to end on a real frame's checksum and
 * terminator is a valid frame by the protocol's own rules (a 1-in-256 checksum collision for the
 * sum-checked protocols): no decoder can tell it from a real one. Such cases are discarded, not
 * passed; everything else must recover every real frame.
 */
function swallowedByCollision(frames: Uint8Array[], got: string[]): boolean {
  const real = new Set(frames.map(hex));
  // a fake frame that contains a real frame's header, or whose checksum is the first bytes of a real
  // frame (Modbus: CRC([106 06 00 00 00 01]) = 40 D1, and D1 was the next real frame's unit address)
  const overlaps = (g: string, f: Uint8Array) =>
    g.includes(hex(f.subarray(0, Math.min(f.length, 6)))) ||
    Array.from({ length: Math.min(f.length, 6) }, (_, k) => hex(f.subarray(0, k + 1))).some((p) => g.endsWith(p));
  return got.some((g) => !real.has(g) && frames.some((f) => overlaps(g, f)));
}

describe('decoder fuzz', () => {
  it('rs485 keypad frames', () => {
    const frameArb = fc
      .record({ addr: fc.integer({ min: 0, max: 255 }), func: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 20 }) })
      .map(encodeFrame);
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 8 }),
        fc.array(junkOf(frameArb), { maxLength: 8 }),
        cutsArb,
        (frames, junk, cuts) => {
          const got: string[] = [];
          const d = createKeypadDecoder((_f, raw) => got.push(hex(raw)));
          for (const c of stream(frames, junk, cuts)) d(c);
          fc.pre(!swallowedByCollision(frames, got));
          expect(isSubsequence(frames.map(hex), got)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('led-framed frames', () => {
    const frameArb = fc
      .record({ addr: fc.integer({ min: 0, max: 255 }), lines: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }) })
      .map(({ addr, lines }) => encodeLed(addr, { type: 'show', lines }));
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 8 }),
        fc.array(junkOf(frameArb), { maxLength: 8 }),
        cutsArb,
        (frames, junk, cuts) => {
          const got: string[] = [];
          const d = createLedDecoder((_f, raw) => got.push(hex(raw)));
          for (const c of stream(frames, junk, cuts)) d(c);
          fc.pre(!swallowedByCollision(frames, got));
          expect(isSubsequence(frames.map(hex), got)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('modbus requests (device side) and responses (host side)', () => {
    const reqArb = fc
      .record({
        addr: fc.integer({ min: 1, max: 247 }),
        lines: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
        clear: fc.boolean(),
      })
      .map(({ addr, lines, clear }) => encodeModbusDisplay(addr, clear ? { type: 'clear' } : { type: 'show', lines })[0]!);
    fc.assert(
      fc.property(
        fc.array(reqArb, { minLength: 1, maxLength: 6 }),
        fc.array(junkOf(reqArb), { maxLength: 6 }),
        cutsArb,
        (frames, junk, cuts) => {
          const got: string[] = [];
          const responses: Uint8Array[] = [];
          const dev = createModbusDecoder('device', (f) => {
            got.push(hex(f.raw));
            responses.push(encodeModbusResponse(f));
          });
          for (const c of stream(frames, junk, cuts)) dev(c);
          fc.pre(!swallowedByCollision(frames, got));
          expect(isSubsequence(frames.map(hex), got)).toBe(true);
          const back: string[] = [];
          const host = createModbusDecoder('host', (f) => back.push(hex(f.raw)));
          for (const c of stream(responses, junk, cuts)) host(c);
          fc.pre(!swallowedByCollision(responses, back));
          expect(isSubsequence(responses.map(hex), back)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('id card serial lines', () => {
    const idArb = fc
      .tuple(
        fc.integer({ min: 110000, max: 659999 }),
        fc.date({ min: new Date('1920-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
      )
      .map(([area, d, seq]) => {
        const s17 = `${area}${d.toISOString().slice(0, 10).replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
        return s17 + idCheckChar(s17);
      });
    fc.assert(
      fc.property(fc.array(idArb, { minLength: 1, maxLength: 5 }), fc.array(randomBytes, { maxLength: 5 }), cutsArb, (ids, junk, cuts) => {
        const got: string[] = [];
        const d = createIdSerialDecoder((e) => {
          if (e.type === 'id') got.push(e.idNumber);
        });
        // a reader line starts after a terminator; garbage ending mid-"number" is the previous line
        const frames = ids.map((id) => concat([[0x0a], encodeIdSerial(id)]));
        for (const c of stream(frames, junk, cuts)) d(c);
        expect(isSubsequence(ids, got)).toBe(true);
      }),
      RUNS,
    );
  });

  it('printer status replies and printer-side decoding never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), cutsArb, (bytes, cuts) => {
        const statuses: number[] = [];
        const s = createStatusDecoder((b) => statuses.push(b));
        const p = createEscPosPrinterDecoder(() => {});
        const hid = createHidKeymapDecoder(DEFAULT_KEYMAP, () => {});
        const idh = createIdHidDecoder(() => {});
        for (const c of stream([Uint8Array.of(0x12, 0x1e)], [bytes], cuts)) {
          s(c);
          p.push(c);
          hid(c);
          idh(c);
        }
        expect(isSubsequence(['18', '30'], statuses.map(String))).toBe(true);
      }),
      RUNS,
    );
  });
});
