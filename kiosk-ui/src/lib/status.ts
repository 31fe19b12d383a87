// Human labels shared by the board, the counter console and the sim page.
import { tr } from './i18n.svelte.ts';
import type { CounterLive, DeviceInfo } from './types.ts';

export type CounterPhase = 'closed' | 'paused' | 'called' | 'serving' | 'idle';

export function counterPhase(c: CounterLive): CounterPhase {
  if (!c.open) return 'closed';
  if (c.paused) return 'paused';
  if (c.current?.state === 'called') return 'called';
  if (c.current?.state === 'serving') return 'serving';
  return 'idle';
}

export function phaseLabel(p: CounterPhase): string {
  return {
    closed: tr('未开窗', 'Closed'),
    paused: tr('暂停', 'Paused'),
    called: tr('叫号中', 'Calling'),
    serving: tr('办理中', 'Serving'),
    idle: tr('空闲', 'Idle'),
  }[p];
}

const DEVICE_STATUS: Record<string, [string, string]> = {
  online: ['正常', 'Online'],
  offline: ['离线', 'Offline'],
  paperOut: ['缺纸', 'Paper out'],
  paperNearEnd: ['纸将尽', 'Paper low'],
  coverOpen: ['仓盖打开', 'Cover open'],
  cutterError: ['切刀故障', 'Cutter error'],
  degraded: ['异常', 'Degraded'],
};

export function deviceStatusLabel(s: string): string {
  const l = DEVICE_STATUS[s];
  return l ? tr(l[0], l[1]) : s;
}

const KINDS: Record<string, [string, string]> = {
  printer: ['取号打印机', 'Ticket printer'],
  ticketPrinter: ['取号打印机', 'Ticket printer'],
  counterDisplay: ['窗口屏', 'Counter display'],
  display: ['显示屏', 'Display'],
  hallDisplay: ['综合屏', 'Hall display'],
  keypad: ['呼叫器', 'Caller keypad'],
  callerKeypad: ['呼叫器', 'Caller keypad'],
  ratingPad: ['评价器', 'Rating pad'],
  idcard: ['身份证阅读器', 'ID card reader'],
  idReader: ['身份证阅读器', 'ID card reader'],
  voice: ['语音播报', 'Voice announcements'],
};

export function kindLabel(k: string): string {
  const l = KINDS[k];
  return l ? tr(l[0], l[1]) : k;
}

export function isAlert(d: DeviceInfo): boolean {
  return d.status !== 'online';
}
