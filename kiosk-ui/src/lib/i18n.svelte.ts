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

export function clock(ts: number | undefined): string {
  if (!ts) return '';
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
