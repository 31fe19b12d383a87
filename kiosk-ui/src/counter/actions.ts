// Console actions and their F-key shortcuts (shown on the buttons, so nobody has to memorise them).
export type ActionId = 'callNext' | 'recall' | 'start' | 'finish' | 'skip' | 'callNumber' | 'transfer' | 'pause' | 'notice' | 'missing';

/** colour family of a button: calling, progressing the ticket, an exit, and the rest */
export type ActionKind = 'call' | 'progress' | 'exit' | 'other';

export interface ActionDef {
  id: ActionId;
  key: string;
  zh: string;
  en: string;
  kind: ActionKind;
  /** needs a dialog before it is sent */
  dialog?: boolean;
}

export const ACTIONS: ActionDef[] = [
  { id: 'callNext', key: 'F1', zh: '叫号', en: 'Call next', kind: 'call' },
  { id: 'recall', key: 'F2', zh: '重呼', en: 'Recall', kind: 'call' },
  { id: 'start', key: 'F3', zh: '开始办理', en: 'Start', kind: 'progress' },
  { id: 'finish', key: 'F4', zh: '办结', en: 'Finish', kind: 'progress' },
  { id: 'skip', key: 'F5', zh: '过号', en: 'Skip (no-show)', kind: 'exit' },
  { id: 'callNumber', key: 'F6', zh: '叫指定号', en: 'Call a number', kind: 'call', dialog: true },
  { id: 'transfer', key: 'F7', zh: '转移', en: 'Transfer', kind: 'exit', dialog: true },
  { id: 'pause', key: 'F8', zh: '暂停 / 恢复', en: 'Pause / resume', kind: 'other', dialog: true },
  { id: 'notice', key: 'F9', zh: '一次性告知', en: 'Notice slip', kind: 'other', dialog: true },
  { id: 'missing', key: 'F10', zh: '容缺办理', en: 'Accept with missing', kind: 'other', dialog: true },
];

/**
 * Which actions make sense for the counter's state and its ticket's — the engine refuses the
 * others anyway; a disabled button says so before the click. A paused counter can only resume
 * (and print a notice slip); calling needs a free counter; start/recall/skip a called ticket.
 */
export function actionEnabled(id: ActionId, c: { open: boolean; paused: boolean; current?: { state: string } } | undefined): boolean {
  if (!c?.open) return false;
  const st = c.current && (c.current.state === 'called' || c.current.state === 'serving') ? c.current.state : undefined;
  if (c.paused) return id === 'pause' || id === 'notice';
  switch (id) {
    case 'callNext':
    case 'callNumber':
      return st === undefined;
    case 'recall':
    case 'start':
    case 'skip':
      return st === 'called';
    case 'finish':
    case 'transfer':
      return st !== undefined;
    case 'missing':
      return st === 'serving';
    case 'pause':
      return st === undefined;
    case 'notice':
      return true;
  }
}

export const ENDPOINT: Partial<Record<ActionId, string>> = {
  callNext: 'call-next',
  recall: 'recall',
  start: 'start',
  finish: 'finish',
  skip: 'skip',
};

export const EVENT_LABEL: Record<string, [string, string]> = {
  'ticket.issued': ['取号', 'Issued'],
  'ticket.called': ['叫号', 'Called'],
  'ticket.recalled': ['重呼', 'Recalled'],
  'ticket.started': ['开始办理', 'Started'],
  'ticket.finished': ['办结', 'Finished'],
  'ticket.skipped': ['过号', 'Skipped'],
  'ticket.rejoined': ['过号重排', 'Rejoined'],
  'ticket.transferred': ['转移', 'Transferred'],
  'ticket.cancelled': ['取消', 'Cancelled'],
  'ticket.acceptedWithMissing': ['容缺受理', 'Accepted with missing'],
  'appointment.checkedIn': ['预约签到', 'Checked in'],
  'notice.recorded': ['一次性告知', 'Notice slip'],
  'rating.recorded': ['评价', 'Rated'],
  'rating.notRated': ['未评价', 'Not rated'],
};
