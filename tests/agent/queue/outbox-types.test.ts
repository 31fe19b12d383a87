// The engine's outbox writes are typed by kind from the same shapes agent/sync/map.ts reads
// (agent/queue/outbox-payloads.ts): `npm run typecheck` fails on the lines below if a wrong field or a
// payload of another kind were accepted (each @ts-expect-error must meet an error).
import { describe, expect, it } from 'vitest';
import type { OutboxInput } from '../../../agent/queue/store.js';

const notice = { id: 'N-1', day: '2026-12-01', at: 0, counter: '1', service: 'idcard', missingMaterials: [{ id: 'photo' }] };

describe('outbox payloads are typed on the write side', () => {
  it('a wrong field, a wrong type or another kind’s payload fails typecheck', () => {
    const rows: OutboxInput[] = [
      { kind: 'notice', idempotencyKey: 'notice:N-1', createdAt: 0, payload: notice },
      // @ts-expect-error a field the notice contract does not have
      { kind: 'notice', idempotencyKey: 'k', createdAt: 0, payload: { ...notice, missingMaterialIDs: ['photo'] } },
      // @ts-expect-error a counter is a string
      { kind: 'notice', idempotencyKey: 'k', createdAt: 0, payload: { ...notice, counter: 1 } },
      // @ts-expect-error a notice is not a rating
      { kind: 'rating', idempotencyKey: 'k', createdAt: 0, payload: notice },
      // @ts-expect-error a case update names its case kind from the vocabulary
      { kind: 'caseUpdate', idempotencyKey: 'k', createdAt: 0, payload: { caseKind: 'complaint', caseId: 'Z-1', action: 'opened' } },
    ];
    expect(rows.map((r) => r.kind)).toEqual(['notice', 'notice', 'notice', 'rating', 'caseUpdate']);
  });
});
