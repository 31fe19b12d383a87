// Console actions and their F-key shortcuts (shown on the buttons, so nobody has to memorise them).
export type ActionId = 'callNext' | 'recall' | 'start' | 'finish' | 'skip' | 'callNumber' | 'transfer' | 'pause' | 'notice' | 'missing';

export interface ActionDef {
  id: ActionId;
  key: string;
  zh: string;
  en: string;
  /** needs a dialog before it is sent */
  dialog?: boolean;
}

export const ACTIONS: ActionDef[] = [
  { id: 'callNext', key: 'F1', zh: '叫号', en: 'Call next' },
  { id: 'recall', key: 'F2', zh: '重呼', en: 'Recall' },
  { id: 'start', key: 'F3', zh: '开始办理', en: 'Start' },
  { id: 'finish', key: 'F4', zh: '办结', en: 'Finish' },
  { id: 'skip', key: 'F5', zh: '过号', en: 'Skip (no-show)' },
  { id: 'callNumber', key: 'F6', zh: '叫指定号', en: 'Call a number', dialog: true },
  { id: 'transfer', key: 'F7', zh: '转移', en: 'Transfer', dialog: true },
  { id: 'pause', key: 'F8', zh: '暂停 / 恢复', en: 'Pause / resume', dialog: true },
  { id: 'notice', key: 'F9', zh: '一次性告知', en: 'Notice slip', dialog: true },
  { id: 'missing', key: 'F10', zh: '容缺办理', en: 'Accept with missing', dialog: true },
];

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
