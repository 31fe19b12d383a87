import { describe, expect, it } from 'vitest';
import { ticketLayout } from '../../agent/devices/layouts.js';
import { checkCommand } from '../../agent/satellite/wire.js';
import type { DeviceCommand } from '../../drivers/host/contract.js';
import { toEscPos } from '../../drivers/host/print-layout.js';
import { encodeEscPos } from '../../drivers/protocols/escpos.js';

const ticket = {
  id: '2026-11-28-A023',
  number: 'A023',
  service: 'id-card',
  channel: 'senior',
  state: 'waiting',
  issuedAt: Date.UTC(2026, 10, 28, 1, 30),
  recalls: 0,
} as unknown as Parameters<typeof ticketLayout>[0]['ticket'];

const service = {
  id: 'id-card',
  name: { zh: '居民身份证申领换领补领', en: 'ID card' },
  materials: [],
} as unknown as Parameters<typeof ticketLayout>[0]['service'];

const hall = { name: '测试大厅', phones: { consult: '0551-1', complaint: '12345' }, ticketUrlBase: 'http://192.0.2.10:8080/t/' };

describe('a ticket crossing to a satellite as plain print blocks', () => {
  it("prints the same bytes on the satellite's printer as the primary would print on its own", () => {
    const blocks = ticketLayout({ ticket, service, hall, waitingAhead: 4, estimateMinutes: 12, paperWidth: 80 });
    // through the socket.io wire (JSON) and the satellite's command check, unchanged
    const received = checkCommand(JSON.parse(JSON.stringify({ type: 'print', jobId: 'j1', blocks })));
    expect(typeof received).not.toBe('string');
    const got = (received as Extract<DeviceCommand, { type: 'print' }>).blocks;
    expect(got).toEqual(blocks);
    expect(Buffer.from(encodeEscPos(toEscPos(got, 80)))).toEqual(Buffer.from(encodeEscPos(toEscPos(blocks, 80))));
    expect(got.find((b) => b.op === 'text' && b.text === 'A023')).toMatchObject({ size: 3, bold: true, align: 'center' });
  });

  it('the service name prints double height at normal width on both PCs, wrapped by its width only', () => {
    const blocks = ticketLayout({ ticket, service, hall, paperWidth: 58 });
    const cmds = toEscPos(blocks, 58);
    const name = cmds.filter((c) => c.op === 'text' && c.text.includes('居民身份证'));
    // 11 Chinese characters = 22 columns: one line on 32-column paper at width 1 (double width would wrap)
    expect(name).toEqual([{ op: 'text', text: '居民身份证申领换领补领', width: 1, height: 2, bold: undefined, align: 'center' }]);
    const number = cmds.find((c) => c.op === 'text' && c.text === 'A023');
    expect(number).toMatchObject({ width: 2, height: 2 });
  });

  it('a block the contract does not allow is refused by the satellite, not printed', () => {
    const bad = [
      { op: 'text', text: 'A001', height: 9 },
      { op: 'text', text: 'A001', bold: 'yes' },
      { op: 'qr', data: 'x', moduleSize: 99 },
      { op: 'text', text: 'A001', align: 'middle' },
    ];
    for (const b of bad) expect(checkCommand({ type: 'print', jobId: 'j', blocks: [b] })).toBe('print command with a bad block');
    // unknown fields are dropped rather than carried to the printer
    const ok = checkCommand({ type: 'print', jobId: 'j', blocks: [{ op: 'text', text: 'A', extra: 1 }] });
    expect(ok).toEqual({ type: 'print', jobId: 'j', blocks: [{ op: 'text', text: 'A' }] });
  });
});
