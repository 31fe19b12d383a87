// The /sim page's controls of a simulated SAM ID-card reader, through the local host as the demo hall
// runs it: present a card (the host emits one idcard event with number and name), a read error
// (idcard.error, no number), remove; bad input is a clear error, never a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../../common/gb11643.js';
import type { DeviceEvent } from '../../../drivers/host/contract.js';
import { LocalDeviceHost } from '../../../drivers/host/local.js';

const ID17 = '11010519491231002';
const ID = ID17 + idCheckChar(ID17);
const host = new LocalDeviceHost([
  { id: 'id-1', kind: 'idReader', protocol: 'idcard-sam', transport: { type: 'sim' }, options: { periodMs: 100 } },
]);
const events: DeviceEvent[] = [];
host.onEvent((e) => events.push(e));
const of = (t: DeviceEvent['type']) => events.filter((e) => e.type === t);
async function waitFor(fn: () => boolean, ms: number, what: string) {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  await host.start();
  await waitFor(() => host.list()[0]?.status === 'online', 5000, 'reader online');
});
afterAll(() => host.stop());

describe('simulated SAM reader on the /sim page', () => {
  it('offers present, remove and read error', () => {
    const [d] = host.simState() as Array<{ actions: string[]; state: Record<string, unknown> }>;
    expect(d!.actions).toEqual(['power', 'idcard', 'remove', 'readError']);
  });

  it('a presented card gives one idcard event with the number and the name; its state keeps neither', async () => {
    host.simAction('id-1', { type: 'idcard', number: ID, name: '张三' });
    await waitFor(() => of('idcard').length === 1, 5000, 'idcard event');
    expect(of('idcard')[0]).toEqual({ type: 'idcard', deviceId: 'id-1', idNumber: ID, name: '张三' });
    const state = JSON.stringify(host.simState());
    expect(state).not.toContain(ID);
    expect(state).not.toContain('张三');
    host.simAction('id-1', { type: 'remove' });
    await waitFor(() => !(host.simState() as Array<{ state: { cardPresent: boolean } }>)[0]!.state.cardPresent, 1000, 'card removed');
  });

  it('a read error gives idcard.error without the number', async () => {
    await new Promise((r) => setTimeout(r, 2200)); // past the same-card guard
    host.simAction('id-1', { type: 'readError' });
    host.simAction('id-1', { type: 'idcard', number: ID });
    await waitFor(() => of('idcard.error').length === 1, 5000, 'idcard.error');
    expect(JSON.stringify(of('idcard.error'))).not.toContain(ID);
    expect(of('idcard')).toHaveLength(1);
  });

  it('bad input is a clear error', () => {
    expect(() => host.simAction('id-1', { type: 'idcard', number: '123' })).toThrow(/18 characters/);
    expect(() => host.simAction('id-1', { type: 'idcard', number: ID, name: '' })).toThrow(/name must be 1–15/);
    expect(() => host.simAction('id-1', { type: 'idcard', number: ID, name: 5 })).toThrow(/string "name"/);
    expect(() => host.simAction('id-1', { type: 'press', key: 'call' })).toThrow(/not supported by a SAM ID-card reader/);
  });
});
