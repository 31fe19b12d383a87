// The text block of a second-generation ID card as the SAM read command (30 01) returns it:
// 256 bytes of UCS-2LE (GB 13000), fixed-width fields padded with spaces. The read reply's data is
//   textLen (2, big-endian) | photoLen (2, big-endian) | text (256) | photo (1024, vendor-encoded WLT)
// The photo is skipped: it needs the vendor's decoder and the hall has no use for it.
// Every value here is personal data: callers never log it.
import { concat } from '../bytes.js';

/** Field widths in bytes, in card order (GA 467 / the readers' published layout). */
export const ID_TEXT_FIELDS = [
  ['name', 30],
  ['sex', 2],
  ['nation', 4],
  ['birth', 16],
  ['address', 70],
  ['idNumber', 36],
  ['issuer', 30],
  ['validFrom', 16],
  ['validTo', 16],
  ['reserved', 36],
] as const;

export const ID_TEXT_BYTES = 256;
export const ID_PHOTO_BYTES = 1024;

export type IdTextField = (typeof ID_TEXT_FIELDS)[number][0];
export type IdCardText = Record<IdTextField, string>;

/** sex codes (GB/T 2261.1) */
export const SEX: Readonly<Record<string, string>> = { '0': '未知', '1': '男', '2': '女', '9': '未说明' };

function ucs2le(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i]! | (bytes[i + 1]! << 8));
  // padding is spaces; some readers leave NULs
  return s.replaceAll('\u0000', ' ').trim();
}

export function decodeIdText(text: Uint8Array): IdCardText | undefined {
  if (text.length < ID_TEXT_BYTES) return undefined;
  const out = {} as IdCardText;
  let o = 0;
  for (const [name, width] of ID_TEXT_FIELDS) {
    out[name] = ucs2le(text.subarray(o, o + width));
    o += width;
  }
  return out;
}

export function encodeIdText(fields: Partial<IdCardText>): Uint8Array {
  const out = new Uint8Array(ID_TEXT_BYTES);
  let o = 0;
  for (const [name, width] of ID_TEXT_FIELDS) {
    const v = (fields[name] ?? '').padEnd(width / 2, ' ').slice(0, width / 2);
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      out[o + 2 * i] = c & 0xff;
      out[o + 2 * i + 1] = c >> 8;
    }
    o += width;
  }
  return out;
}

export type ReadReplyProblem = 'short' | 'lengths';

/** Splits the data of a successful read reply; only the text is returned. */
export function parseReadData(data: Uint8Array): { text: Uint8Array; photoBytes: number } | { problem: ReadReplyProblem } {
  if (data.length < 4) return { problem: 'short' };
  const textLen = (data[0]! << 8) | data[1]!;
  const photoLen = (data[2]! << 8) | data[3]!;
  if (textLen < ID_TEXT_BYTES || 4 + textLen + photoLen > data.length) return { problem: 'lengths' };
  return { text: data.subarray(4, 4 + textLen), photoBytes: photoLen };
}

/** The data of a read reply for a card (simulator, tests): lengths, text, a photo of filler bytes. */
export function encodeReadData(fields: Partial<IdCardText>, photo: Uint8Array = new Uint8Array(ID_PHOTO_BYTES)): Uint8Array {
  return concat([[ID_TEXT_BYTES >> 8, ID_TEXT_BYTES & 0xff, photo.length >> 8, photo.length & 0xff], encodeIdText(fields), photo]);
}
