import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { CONTRACTS } from '../../contracts/records.js';
import { schemaFiles } from '../../contracts/write-schemas.js';
import { contactMasked, scrub, toRecord } from '../../agent/sync/map.js';

const dir = resolve(import.meta.dirname, '../../contracts/schema');

describe('contracts', () => {
  it('ships one JSON Schema per record kind, equal to the TypeBox source', () => {
    const want = schemaFiles();
    expect(readdirSync(dir).sort()).toEqual(Object.keys(want).sort());
    for (const [file, text] of Object.entries(want))
      expect(JSON.parse(readFileSync(resolve(dir, file), 'utf8')), file).toEqual(JSON.parse(text));
    for (const kind of Object.keys(CONTRACTS)) expect(Object.keys(want)).toContain(`${kind}.v1.schema.json`);
  });

  it('masks ID and phone numbers in free texts and keeps only a masked phone of a contact', () => {
    expect(scrub('身份证340104199001011239，电话13812345678，座机0551-65110110')).toBe(
      '身份证3401**********1239，电话138****5678，座机0551-****0110',
    );
    expect(contactMasked('张先生 13812345678')).toBe('138****5678');
    expect(contactMasked('张先生')).toBeNull();
  });

  it('maps an outbox row written by an older agent (no transfers, no 办件编号) to a valid record', () => {
    const payload = {
      ticketId: '2026-11-20:A001',
      number: 'A001',
      day: '2026-11-20',
      service: 'id-card',
      channel: 'senior',
      counter: '1',
      owner: '1',
      staffId: 'A1001',
      issuedAt: 1000,
      calledAt: 61_000,
      startedAt: 61_000,
      finishedAt: 200_000,
      handlingMs: 139_000,
      transferredFrom: null,
      acceptedWithMissing: [],
    };
    const rec = toRecord(
      { id: 1, kind: 'serviceRecord', idempotency_key: 'service:x', payload: JSON.stringify(payload), created_at: 200_000 },
      'Asia/Shanghai',
    );
    expect(rec).toMatchObject({ key: 'service:x', kind: 'serviceRecord', v: 1, at: 200_000, day: '2026-11-20' });
    expect(rec.data).toMatchObject({ waitMs: 60_000, transfers: [], caseNumber: null });
    const check = Compile(CONTRACTS.serviceRecord.schema);
    expect(check.Check(rec.data)).toBe(true);
    expect(check.Check({ ...rec.data, name: '王芳' })).toBe(false);
  });

  it('carries 上门服务/信访/自查/回访 cases and 容缺 completions under their own contracts, without names or phones', () => {
    const petition = {
      caseKind: 'petition',
      caseId: 'P-3',
      action: 'callback',
      entry: { at: 1_764_300_000_000, action: 'callback', by: '王芳', text: '回访：电话13812345678，已满意', satisfied: true },
      case: {
        id: 'P-3',
        kind: 'petition',
        state: 'open',
        day: '2025-11-28',
        openedAt: 1_764_200_000_000,
        dueDay: '2025-12-19',
        title: '迁户口多次往返',
        assignedTo: 'A1002',
        openedBy: 'manager',
        source: '12345',
        escalation: 'county',
        history: [],
      },
    };
    const row = (kind: string, payload: unknown) => ({
      id: 1,
      kind,
      idempotency_key: 'k',
      payload: JSON.stringify(payload),
      created_at: 1,
    });
    const rec = toRecord(row('caseUpdate', petition), 'Asia/Shanghai');
    expect(rec).toMatchObject({ kind: 'campaignCase', v: 1, day: '2025-11-28' });
    expect(rec.data).toMatchObject({ caseKind: 'petition', source: '12345', escalation: 'county', satisfied: true });
    expect(Compile(CONTRACTS.campaignCase.schema).Check(rec.data)).toBe(true);
    expect(JSON.stringify(rec.data)).not.toMatch(/13812345678|王芳|A1002/);
    const assigned = toRecord(
      row('caseUpdate', { ...petition, action: 'assigned', entry: { at: 1, action: 'assigned', by: 'x', text: 'A1002' } }),
      'Asia/Shanghai',
    );
    expect(assigned.data).toMatchObject({ text: null });

    const done = { id: 'RQ-1', ticketId: '2025-11-28:A003', counter: '1', completedAt: 1_764_300_000_000, completedBy: '王芳' };
    const followUp = toRecord(row('caseUpdate', { caseKind: 'acceptedWithMissing', record: done }), 'Asia/Shanghai');
    expect(followUp).toMatchObject({ kind: 'followUpDone', data: { id: 'RQ-1', counter: '1', day: '2025-11-28' } });
    expect(Compile(CONTRACTS.followUpDone.schema).Check(followUp.data)).toBe(true);
    expect(JSON.stringify(followUp.data)).not.toContain('王芳');
  });
});
