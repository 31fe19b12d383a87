// docs/api.md names queue events `ticket.called`, `counter.paused`, `rating.recorded` …
// (QUEUE_EVENT_TYPES). Early engine builds wrote short names (`called`, `paused`, `rated`) into
// the event table; screens map those so a hall's older history still reads right.
const SHORT: Record<string, string> = {
  issued: 'ticket.issued',
  called: 'ticket.called',
  recalled: 'ticket.recalled',
  started: 'ticket.started',
  finished: 'ticket.finished',
  skipped: 'ticket.skipped',
  rejoined: 'ticket.rejoined',
  transferred: 'ticket.transferred',
  cancelled: 'ticket.cancelled',
  expired: 'ticket.expired',
  requeued: 'ticket.requeued',
  acceptedWithMissing: 'ticket.acceptedWithMissing',
  appointmentCheckedIn: 'appointment.checkedIn',
  opened: 'counter.opened',
  closed: 'counter.closed',
  paused: 'counter.paused',
  resumed: 'counter.resumed',
  rated: 'rating.recorded',
  notRated: 'rating.notRated',
  noticeRecorded: 'notice.recorded',
  unresolvedReported: 'report.unresolved',
};

export function eventType(type: string): string {
  return SHORT[type] ?? type;
}
