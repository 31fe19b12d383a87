// A real agent that syncs to a real hub, and hall activity driven through the queue engine.
import { readFileSync } from 'node:fs';
import type { QueueEngine } from '../../agent/queue/engine.js';
import { DEMO_CONFIG, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { SECRET_A } from '../hub/harness.js';

export const ID_NUMBER = '340104199001011239';
export const CONTACT = '张先生 13812345678';

export function syncConfig(url: string, extra = ''): string {
  const demo = readFileSync(DEMO_CONFIG, 'utf8').replace(/\nupstream:[\s\S]*$/, '\n');
  return `${demo}
upstream:
  url: ${url}
  hallId: HALL-A
  secret: ${SECRET_A}
  batchSize: 20
  timeoutSeconds: 3
  backoffMaxSeconds: 1
${extra}`;
}

export function startSyncAgent(url: string): Promise<TestAgent> {
  return startTestAgent({ configText: syncConfig(url) });
}

/**
 * n citizens served at counter 1: every one rated (every 4th badly, opening a 整改), every 3rd with
 * a 容缺 case, every 4th with a notice slip, every 5th transferred to counter 2 first; one 办不成事
 * report with a name and phone; one 整改 called back and closed. Returns the outbox rows written.
 */
export function hallActivity(engine: QueueEngine, n: number): void {
  for (const c of ['1', '2']) {
    try {
      engine.open(c, c === '1' ? 'A1001' : 'A1002');
    } catch {}
  }
  for (let i = 0; i < n; i++) {
    const { ticket } = engine.issue({ service: 'id-card', idNumber: i === 0 ? ID_NUMBER : undefined });
    let at = '1';
    engine.callNumber('1', ticket.number);
    engine.start('1');
    if (i % 5 === 4) {
      engine.transfer('1', { counter: '2' });
      engine.callNumber('2', ticket.number);
      engine.start('2');
      at = '2';
    }
    if (i % 3 === 0) {
      const cur = engine.counterSnapshot(at)!.current!;
      engine.acceptWithMissing({ counter: at, ticketId: cur.id, missingMaterialIds: ['old-id-card'], followUpDate: engine.today() });
    }
    if (i % 4 === 1) engine.recordNotice({ counter: at, service: 'id-card', missingMaterialIds: ['hukou-book'], ticketId: ticket.id });
    engine.finish(at, { caseNumber: `BJ-${i}` });
    if (i % 4 === 3)
      engine.rate({ counter: at, level: 1, reasons: ['attitude'], comment: `态度差，我的电话${CONTACT.slice(4)}`, source: 'pad' });
    else engine.rate({ counter: at, level: 5, source: i % 2 ? 'pad' : 'web' });
  }
  engine.reportUnresolved({ service: 'hukou-move', description: '迁移手续没办成，联系我 13812345678', contact: CONTACT });
  const rect = engine.listCases({ state: 'open' }).find((c) => c.kind === 'rectification');
  if (rect) {
    engine.recordCallback(rect.id, { by: '所长张三', note: '已回访，群众表示满意', satisfied: true });
    engine.closeRectification(rect.id, { by: '所长张三', measures: '批评教育并培训' });
  }
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
