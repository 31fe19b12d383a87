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
});
