// zh-CN first, English on request. Strings stay next to the screen that shows them
// (tr('叫号', 'Call')) instead of in a key table, so a translator sees both languages in context.
import { ApiError } from './api.ts';
import type { LocalizedText } from './types.ts';

export type Lang = 'zh' | 'en';

const initial: Lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh';
export const i18n = $state({ lang: initial as Lang });

export function setLang(lang: Lang): void {
  i18n.lang = lang;
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}
setLang(initial);

export function tr(zh: string, en: string): string {
  return i18n.lang === 'zh' ? zh : en;
}

/** LocalizedText or a plain string (hall name may be either) */
export function loc(text: LocalizedText | string | undefined | null): string {
  if (!text) return '';
  if (typeof text === 'string') return text;
  return i18n.lang === 'zh' ? text.zh : text.en || text.zh;
}

export function errText(e: unknown): string {
  if (e instanceof ApiError) return i18n.lang === 'zh' ? e.messageZh : e.messageEn;
  return tr('出错了，请重试', 'Something went wrong, please try again');
}

export function minutes(ms: number | undefined): string {
  const m = Math.round((ms ?? 0) / 60000);
  return tr(`${m} 分钟`, `${m} min`);
}

// Times on screen are hall time (hall.timezone), like the printed tickets: the PC's own zone may differ.
let hallZone: string | undefined;
export function setHallTimeZone(zone: string | undefined): void {
  hallZone = zone;
}

function hallParts(ts: number): Record<string, string> {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: hallZone,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ts);
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}

/** HH:mm in hall time */
export function clock(ts: number | undefined): string {
  if (!ts) return '';
  const p = hallParts(ts);
  return `${p.hour}:${p.minute}`;
}

/** MM-DD in hall time */
export function monthDay(ts: number): string {
  const p = hallParts(ts);
  return `${p.month}-${p.day}`;
}
