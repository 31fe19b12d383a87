import { describe, expect, it } from 'vitest';
import { ticketLayout } from '../../agent/devices/layouts.js';
import { blocksToEscpos, escposToBlocks } from '../../agent/satellite/print-blocks.js';
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

describe('a ticket crossing to a satellite as plain print blocks', () => {
  it('prints the same bytes on the satellite as the primary would print locally', () => {
    const local = ticketLayout({
      ticket,
      hall: { name: '测试大厅', phones: { consult: '0551-1', complaint: '12345' }, ticketUrlBase: 'http://192.0.2.10:8080/t/' },
      waitingAhead: 4,
      estimateMinutes: 12,
      paperWidth: 80,
    });
    const blocks = escposToBlocks(local);
    // plain data: survives JSON (the socket.io wire) unchanged
    expect(JSON.parse(JSON.stringify(blocks))).toEqual(blocks);
    // PrintBlock has one size for both directions: a double-height-only line (the service name) prints at
    // normal height; every other byte is what the primary would have sent to its own printer
    const heightOnly = local.filter((c) => c.op === 'text' && (c.height ?? 1) > 1 && (c.width ?? 1) === 1);
    expect(heightOnly.length).toBe(1);
    const expected = local.map((c) => (heightOnly.includes(c) ? { ...c, height: 1 } : c));
    expect(Buffer.from(encodeEscPos(blocksToEscpos(blocks)))).toEqual(Buffer.from(encodeEscPos(expected)));
    expect(blocks.find((b) => b.op === 'text' && b.text === 'A023')).toMatchObject({ size: 3, bold: true, align: 'center' });
  });
});
