// The SAM protocol of the second-generation ID-card readers (GA 467) against frames published by
// others (sources in docs/protocols/idcard-sam.md): command bytes, reply bytes and status codes as
// readers send them, the 1,295-byte read reply, and a decoder that survives garbage and torn frames.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idCheckChar } from '../../common/gb11643.js';
import { concat, fromHex, hex } from '../../drivers/bytes.js';
import {
  createSamDecoder,
  describeSamStatus,
  encodeSamCommand,
  encodeSamReply,
  parseSamReply,
  type SamDecoderEvent,
  samStatusInfo,
} from '../../drivers/protocols/idcard-sam.js';
import { decodeIdText, encodeReadData, parseReadData } from '../../drivers/protocols/idcard-sam-text.js';

const RUNS = { numRuns: 200, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) };

function decodeAll(chunks: ArrayLike<number>[]): SamDecoderEvent[] {
  const out: SamDecoderEvent[] = [];
  const d = createSamDecoder((e) => out.push(e));
  for (const c of chunks) d(c);
  return out;
}

/** a fictional card holder (never a real person's data in the repo) */
const ID17 = '34010419800101123';
const CARD = {
  name: '张三',
  sex: '1',
  nation: '01',
  birth: '19800101',
  address: '安徽省合肥市蜀山区示例路1号',
  idNumber: ID17 + idCheckChar(ID17),
  issuer: '合肥市公安局蜀山分局',
  validFrom: '20200101',
  validTo: '20400101',
};

describe('host commands (published frames)', () => {
  it('find, select, read', () => {
    expect(hex(encodeSamCommand('find'))).toBe('aa aa aa 96 69 00 03 20 01 22');
    expect(hex(encodeSamCommand('select'))).toBe('aa aa aa 96 69 00 03 20 02 21');
    expect(hex(encodeSamCommand('read'))).toBe('aa aa aa 96 69 00 03 30 01 32');
  });
  it('SAM status, SAM id, reset', () => {
    expect(hex(encodeSamCommand('samStatus'))).toBe('aa aa aa 96 69 00 03 11 ff ed');
    expect(hex(encodeSamCommand('samId'))).toBe('aa aa aa 96 69 00 03 12 ff ee');
    // no published literal found; XOR 00^03^10^FF computed by hand
    expect(hex(encodeSamCommand('reset'))).toBe('aa aa aa 96 69 00 03 10 ff ec');
  });
});

describe('reader replies (published frames)', () => {
  const published: Array<[string, number, number]> = [
    ['AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97', 0x9f, 4], // find: card found
    ['AA AA AA 96 69 00 04 00 00 80 84', 0x80, 0], // find: no card
    ['AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C', 0x90, 8], // select ok
    ['AA AA AA 96 69 00 04 00 00 81 85', 0x81, 0], // select failed
    ['AA AA AA 96 69 00 04 00 00 41 45', 0x41, 0], // read failed
    ['AA AA AA 96 69 00 04 00 00 31 35', 0x31, 0], // card failed to authenticate the SAM
    ['AA AA AA 96 69 00 04 00 00 90 94', 0x90, 0], // SAM status ok
  ];
  for (const [frame, sw3, dataLen] of published) {
    it(`decodes ${frame}`, () => {
      const events = decodeAll([fromHex(frame)]);
      expect(events).toHaveLength(1);
      const e = events[0]!;
      expect(e.type).toBe('frame');
      const r = parseSamReply((e as { body: Uint8Array }).body)!;
      expect([r.sw1, r.sw2, r.sw3, r.data.length]).toEqual([0, 0, sw3, dataLen]);
      // and the encoder writes exactly the published bytes
      expect(hex(encodeSamReply(sw3, r.data))).toBe(frame.toLowerCase());
    });
  }

  it('maps status codes to what the driver does with them', () => {
    expect(samStatusInfo(0x90).kind).toBe('ok');
    expect(samStatusInfo(0x9f).kind).toBe('ok');
    expect(samStatusInfo(0x80).kind).toBe('noCard');
    expect(samStatusInfo(0x41).kind).toBe('cardError');
    expect(samStatusInfo(0x60).kind).toBe('samFault');
    expect(samStatusInfo(0x66).kind).toBe('samFault');
    expect(samStatusInfo(0x10).kind).toBe('hostError');
    expect(samStatusInfo(0x77).kind).toBe('cardError'); // unknown codes are per-read failures
    expect(describeSamStatus(0x41)).toBe('SW3 0x41 读证/卡操作失败 (card read failed)');
    expect(describeSamStatus(0x60)).toMatch(/^SW3 0x60 SAM_V自检失败/);
  });
});

describe('read reply: 1,295 bytes of text + photo', () => {
  const frame = encodeSamReply(0x90, encodeReadData(CARD, new Uint8Array(1024).fill(0x5a)));

  it('has the published header and length', () => {
    expect(frame.length).toBe(1295);
    expect(hex(frame.subarray(0, 14))).toBe('aa aa aa 96 69 05 08 00 00 90 01 00 04 00');
  });

  it('puts each field at its published offset, UCS-2LE, space padded', () => {
    const text = frame.subarray(14, 14 + 256);
    expect(hex(text.subarray(0, 6))).toBe('20 5f 09 4e 20 00'); // 张 U+5F20, 三 U+4E09, then space padding
    expect(hex(text.subarray(30, 32))).toBe('31 00'); // sex "1"
    expect(hex(text.subarray(32, 36))).toBe('30 00 31 00'); // nation "01"
    const id = new TextDecoder('utf-16le').decode(text.subarray(122, 158));
    expect(id).toBe(CARD.idNumber);
    expect(new TextDecoder('utf-16le').decode(text.subarray(204, 220))).toBe('20400101');
  });

  it('decodes back to the fields', () => {
    const [e] = decodeAll([frame]);
    const r = parseSamReply((e as { body: Uint8Array }).body)!;
    const parts = parseReadData(r.data);
    expect('text' in parts && parts.photoBytes).toBe(1024);
    const fields = decodeIdText((parts as { text: Uint8Array }).text)!;
    expect(fields).toMatchObject(CARD);
    expect(fields.reserved).toBe('');
  });

  it('a corrupted byte is reported as a checksum error, not a frame', () => {
    const bad = frame.slice();
    bad[600] = (bad[600] ?? 0) ^ 0x01;
    expect(decodeAll([bad])).toEqual([{ type: 'corrupt', reason: 'checksum' }]);
  });

  it('a reply with lengths that do not add up is refused', () => {
    expect(parseReadData(Uint8Array.of(0x01, 0x00, 0x04, 0x00, 1, 2, 3))).toEqual({ problem: 'lengths' });
    expect(parseReadData(Uint8Array.of(0x01))).toEqual({ problem: 'short' });
  });
});

describe('decoder robustness', () => {
  const frames = [
    encodeSamReply(0x9f, [0, 0, 0, 0]),
    encodeSamReply(0x80),
    encodeSamReply(0x90, new Uint8Array(8)),
    encodeSamReply(0x41),
    encodeSamCommand('find'),
    encodeSamReply(0x90, encodeReadData(CARD)),
  ];
  const frameArb = fc.constantFrom(...frames);
  const known = new Set(frames.map((f) => hex(f.subarray(7, f.length - 1))));
  const junkArb = fc.oneof(
    fc.uint8Array({ maxLength: 60 }),
    frameArb.chain((f) => fc.nat(f.length - 1).map((n) => f.slice(0, n))), // torn
    fc.constant(Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69)), // a bare preamble
  );

  it('every frame comes out, in order, whatever garbage and chunking surround it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(junkArb, frameArb), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (pairs, cuts) => {
          const all = concat(pairs.flat());
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let prev = 0;
          for (const p of [...points, all.length]) {
            chunks.push(all.subarray(prev, p));
            prev = p;
          }
          const got = decodeAll(chunks)
            .filter((e): e is { type: 'frame'; body: Uint8Array } => e.type === 'frame')
            .map((e) => hex(e.body));
          const want = pairs.map(([, f]) => hex(f.subarray(7, f.length - 1)));
          // A torn frame's header whose claimed length ends where the XOR of the swallowed bytes happens
          // to match (1 in 256) is a valid frame by the protocol's own rules: no decoder can tell. Such
          // cases are discarded, not passed (as in fuzz.test.ts); everything else must recover every frame.
          fc.pre(got.every((g) => known.has(g)));
          // extra frames found inside garbage (a torn copy's tail) are tolerated; the real ones all arrive in order
          let j = 0;
          for (const g of got) if (j < want.length && g === want[j]) j++;
          expect(j).toBe(want.length);
        },
      ),
      RUNS,
    );
  });

  it('never throws and stays bounded on random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 500 }), { maxLength: 20 }), (chunks) => {
        expect(() => decodeAll(chunks)).not.toThrow();
      }),
      RUNS,
    );
  });

  it('a torn read reply does not hold back the next reply', () => {
    const read = encodeSamReply(0x90, encodeReadData(CARD));
    const events = decodeAll([read.subarray(0, 700), encodeSamReply(0x80)]);
    expect(events.filter((e) => e.type === 'frame').map((e) => hex((e as { body: Uint8Array }).body))).toEqual(['00 00 80']);
  });
});
