// What a call says, as voice-pack clip names: "请A023号到3号窗口办理" →
// qing A ling er san hao dao san hao chuangkou banli. Ticket numbers are read digit by
// digit (A 零 二 三); counter numbers the way people say them (3 → 三, 12 → 十二).

/** clip name → pinyin with tone numbers (what espeak-ng cmn-latn-pinyin reads) */
export const CLIPS: Record<string, string> = {
  '0': 'ling2',
  '1': 'yi1',
  '2': 'er4',
  '3': 'san1',
  '4': 'si4',
  '5': 'wu3',
  '6': 'liu4',
  '7': 'qi1',
  '8': 'ba1',
  '9': 'jiu3',
  '10': 'shi2',
  qing: 'qing3',
  hao: 'hao4',
  dao: 'dao4',
  chuangkou: 'chuang1 kou3',
  banli: 'ban4 li3',
  // letters: espeak's pinyin voice names a single capital letter like English ("A" → ei)
  ...Object.fromEntries([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((l) => [`letter-${l}`, l])),
};

function chars(s: string): string[] {
  const out: string[] = [];
  for (const c of s.toUpperCase()) {
    if (c >= '0' && c <= '9') out.push(c);
    else if (c >= 'A' && c <= 'Z') out.push(`letter-${c}`);
    // anything else (dashes, spaces) is not read
  }
  return out;
}

/** 1..99 as spoken: 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五; otherwise digit by digit */
export function counterWords(counter: string): string[] {
  if (!/^\d{1,2}$/.test(counter)) return chars(counter);
  const n = Number(counter);
  if (n < 10) return [String(n)];
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return [...(tens > 1 ? [String(tens)] : []), '10', ...(ones ? [String(ones)] : [])];
}

/** one sentence of a call, as clip names; a group boundary ('|') gets a longer pause */
export function callClips(number: string, counter: string): string[] {
  return ['qing', '|', ...chars(number), 'hao', '|', 'dao', ...counterWords(counter), 'hao', 'chuangkou', '|', 'banli'];
}

/** text form for logs and for the browser speechSynthesis fallback */
export function callText(number: string, counter: string): string {
  return `请${number}号到${counter}号窗口办理`;
}
