// 差评 reasons configured per hall: the checker names file, path and fix; the reasons a citizen ticked
// go upward with their Chinese names (rating v2), and a v1 rating from an older hall still reads.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../agent/config/load.js';
import { toRecord } from '../../../agent/sync/map.js';
import { CONTRACTS, readableVersions } from '../../../contracts/records.js';
import { problems } from './problems.js';

const demo = readFileSync(resolve(import.meta.dirname, '../../../config/demo-hall.yaml'), 'utf8');
const RATING = 'rating: { timeoutSeconds: 30 }';
const withReasons = (yaml: string) => {
  expect(demo).toContain(RATING);
  return demo.replace(RATING, `rating:\n  timeoutSeconds: 30\n  reasons:\n${yaml}`);
};
const PROVINCE = [
  { code: 'attitude', zh: '服务态度差', en: 'Rude service' },
  { code: 'waiting', zh: '等候时间长', en: 'Long wait' },
  { code: 'materials', zh: '材料要求多', en: 'Too many documents' },
  { code: 'trips', zh: '多次跑动', en: 'Had to come back' },
  { code: 'explain', zh: '政策解释不清', en: 'Unclear explanation' },
  { code: 'other', zh: '其他', en: 'Other' },
];
const yamlOf = (list: { code: string; zh: string; en: string }[]) =>
  list.map((r) => `    - { code: ${JSON.stringify(r.code)}, zh: ${JSON.stringify(r.zh)}, en: ${JSON.stringify(r.en)} }`).join('\n');

describe('rating.reasons in the hall config', () => {
  it("defaults to DESIGN's five and takes a province's list in its order", () => {
    expect(parseConfig(demo, 'config/hall.yaml', {}).rating.reasons.map((r) => r.zh)).toEqual([
      '态度',
      '效率',
      '业务不熟',
      '流程繁琐',
      '其他',
    ]);
    expect(parseConfig(withReasons(yamlOf(PROVINCE)), 'config/hall.yaml', {}).rating.reasons).toEqual(PROVINCE);
  });

  it('names the file, the path and the fix for each mistake, and starts nothing', () => {
    const bad = [...PROVINCE.slice(0, 3), { code: 'Waiting Long', zh: '等候时间实在是太长了', en: 'Long wait' }];
    expect(problems(withReasons(yamlOf(bad)))).toEqual([
      'rating.reasons[3].code: expected a code of lower-case letters, digits and "-" such as "waiting", got "Waiting Long"',
      'rating.reasons[3].zh: expected the Chinese name shown on the rating pad, 1–8 characters such as 等候时间长, got "等候时间实在是太长了"',
    ]);
    expect(problems(withReasons(yamlOf([...PROVINCE, { ...PROVINCE[1]!, zh: '排队久' }])))).toEqual([
      'rating.reasons[6].code: expected a code not already used by rating.reasons[1], got "waiting"',
      'rating.reasons[6].en: expected an English name not already used by rating.reasons[1], got "Long wait"',
    ]);
    const nine = Array.from({ length: 9 }, (_, i) => ({ code: `r${i}`, zh: `原因${i}`, en: `Reason ${i}` }));
    expect(problems(withReasons(yamlOf(nine)))).toEqual([
      'rating.reasons: expected a list of 1–8 reasons, each { code, zh, en } (leave rating.reasons out for the default 态度, 效率, 业务不熟, 流程繁琐, 其他), got "9 reasons"',
    ]);
    expect(problems(demo.replace(RATING, 'rating: { timeoutSeconds: 30, reasons: [] }'))[0]).toMatch(
      /^rating\.reasons: expected a list of 1–8 reasons/,
    );
    expect(() => parseConfig(withReasons(yamlOf(nine)), '/etc/hallq/hall.yaml', {})).toThrow(ConfigError);
    expect(() => parseConfig(withReasons(yamlOf(nine)), '/etc/hallq/hall.yaml', {})).toThrow(/\/etc\/hallq\/hall\.yaml: rating\.reasons/);
  });
});

describe('a rating with its reasons, upward', () => {
  const fact = (reasons: string[]) => ({
    ticketId: '2026-12-06-B001',
    number: 'B001',
    day: '2026-12-06',
    at: 1_765_000_000_000,
    service: 'residence-permit',
    counter: '5',
    staffId: 'A1005',
    level: 1,
    reasons,
    source: 'pad',
  });
  const row = (payload: unknown) => ({
    id: 1,
    kind: 'rating',
    idempotency_key: 'rating:x',
    payload: JSON.stringify(payload),
    created_at: 1,
  });
  const v2 = Compile(CONTRACTS.rating.schema);

  it('goes up as v2: each code with the Chinese name the citizen read when rating', () => {
    const rec = toRecord(
      row({ rating: fact(['waiting', 'other']), rectification: null, reasonNames: ['等候时间长', '其他'] }),
      'Asia/Shanghai',
    );
    expect(rec).toMatchObject({ kind: 'rating', v: 2 });
    expect(rec.data).toMatchObject({ reasons: ['waiting', 'other'], reasonNames: ['等候时间长', '其他'] });
    expect(v2.Check(rec.data)).toBe(true);
    // a row an older agent wrote (no names): the national name of its fixed code
    const old = toRecord(row({ rating: fact(['attitude']), rectification: null }), 'Asia/Shanghai');
    expect(old.data).toMatchObject({ reasons: ['attitude'], reasonNames: ['态度'] });
    expect(v2.Check(old.data)).toBe(true);
    expect(v2.Check({ ...rec.data, reasons: ['Not A Code'] })).toBe(false);
  });

  it('a hub still reads v1 ratings of halls not yet upgraded, in the v2 shape', () => {
    const versions = readableVersions().rating!;
    expect(versions.map((v) => v.v)).toEqual([2, 1]);
    const v1 = versions[1]!;
    const data = { ...fact(['unfamiliar', 'cumbersome']), channel: 'pad', caseNumber: null, comment: null, rectification: null };
    delete (data as { source?: string }).source;
    expect(Compile(v1.schema).Check(data)).toBe(true);
    // a v1 rating never carried a hall's own code
    expect(Compile(v1.schema).Check({ ...data, reasons: ['waiting'] })).toBe(false);
    const up = v1.upgrade(data);
    expect(up).toMatchObject({ reasons: ['unfamiliar', 'cumbersome'], reasonNames: ['业务不熟', '流程繁琐'] });
    expect(v2.Check(up)).toBe(true);
  });
});
