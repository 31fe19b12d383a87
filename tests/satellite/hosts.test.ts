import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBuffer } from '../../agent/satellite/buffer.js';
import { CompositeHost } from '../../agent/satellite/composite-host.js';
import { type CommandChannel, RemoteHost } from '../../agent/satellite/remote-host.js';
import type { DeviceEvent } from '../../drivers/host/contract.js';

const dir = mkdtempSync(join(tmpdir(), 'hallq-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** a satellite socket that answers each command after `delayMs` with `answer` (or never) */
function channel(answer: unknown, delayMs = 0): CommandChannel & { sent: unknown[] } {
  const sent: unknown[] = [];
  return {
    sent,
    timeout(ms: number) {
      return {
        emit(_ev: 'command', msg: unknown, cb: (err: Error | null, res: unknown) => void) {
          sent.push(msg);
          if (answer === undefined || delayMs > ms) setTimeout(() => cb(new Error('timeout'), undefined), ms);
          else setTimeout(() => cb(null, answer), delayMs);
        },
      };
    },
  };
}

const kiosk = () =>
  new RemoteHost('kiosk-pc', [
    { id: 'printer-k', kind: 'ticketPrinter' },
    { id: 'idr-k', kind: 'idReader' },
  ]);

describe('RemoteHost and CompositeHost', () => {
  it('an away satellite fails a command at once with the reason; its devices list as offline', async () => {
    const host = kiosk();
    const t0 = performance.now();
    const r = await host.execute('printer-k', { type: 'print', jobId: 'j1', blocks: [{ op: 'text', text: 'A001' }] });
    expect(performance.now() - t0, 'no waiting for a timeout').toBeLessThan(500);
    expect(r).toEqual({ ok: false, reason: 'satellite kiosk-pc is away (its PC is not connected to the primary)' });
    expect(host.list().map((d) => [d.id, d.status, d.detail])).toEqual([
      ['printer-k', 'offline', 'satellite kiosk-pc away'],
      ['idr-k', 'offline', 'satellite kiosk-pc away'],
    ]);
  });

  it('routes by device id, passes the satellite answer on, and turns silence or junk into a failure with a reason', async () => {
    const k = kiosk();
    const c = new RemoteHost('counter-pc', [{ id: 'led-3', kind: 'counterDisplay', counter: '3' }]);
    const statuses: DeviceEvent[] = [];
    const all = new CompositeHost([k, c]);
    all.onEvent((e) => statuses.push(e));
    const kc = channel({ ok: true });
    k.connected(kc, [
      { id: 'printer-k', kind: 'ticketPrinter', protocol: 'escpos', transport: 'serial /dev/ttyUSB0', status: 'online', since: 1 },
    ]);
    // registering announces every assigned device: reported ones as reported, the rest offline
    expect(statuses).toEqual([
      { type: 'status', deviceId: 'printer-k', status: 'online' },
      { type: 'status', deviceId: 'idr-k', status: 'offline', detail: 'not reported by satellite kiosk-pc' },
    ]);
    expect(await all.execute('printer-k', { type: 'beep' })).toEqual({ ok: true });
    expect(kc.sent).toEqual([{ deviceId: 'printer-k', command: { type: 'beep' } }]);
    expect(await all.execute('led-3', { type: 'show', lines: ['A001'] })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/counter-pc is away/),
    });
    expect(await all.execute('nowhere', { type: 'beep' })).toEqual({ ok: false, reason: 'no device nowhere in this hall' });

    c.connected(channel({ nonsense: 1 }), []);
    expect(await all.execute('led-3', { type: 'show', lines: ['A001'] })).toEqual({ ok: false, reason: 'satellite gave no valid answer' });
    c.connected(channel(undefined), []);
    expect(await all.execute('led-3', { type: 'show', lines: ['A001'] })).toEqual({
      ok: false,
      reason: 'satellite counter-pc did not answer within 5000 ms',
    });
  }, 15_000);

  it("a satellite that registers gets each display's and keypad's newest text again, even one sent while it was away", async () => {
    const c = new RemoteHost('counter-pc', [
      { id: 'led-3', kind: 'counterDisplay', counter: '3' },
      { id: 'keypad-3', kind: 'keypad', counter: '3' },
      { id: 'printer-c', kind: 'ticketPrinter' },
    ]);
    // the primary started (idle text) and called A001 while the PC was away: both fail now, visibly
    expect((await c.execute('led-3', { type: 'show', lines: ['3号窗口', '欢迎光临'] })).ok).toBe(false);
    expect((await c.execute('led-3', { type: 'show', lines: ['A001', '请到3号窗口'] })).ok).toBe(false);
    expect((await c.execute('keypad-3', { type: 'keypadText', text: 'A001' })).ok).toBe(false);
    expect((await c.execute('printer-c', { type: 'print', jobId: 'j', blocks: [] })).ok).toBe(false);
    const ch = channel({ ok: true });
    c.connected(ch, []);
    // the newest text only, and never a print: a ticket that failed was shown on the kiosk screen instead
    expect(ch.sent).toEqual([
      { deviceId: 'led-3', command: { type: 'show', lines: ['A001', '请到3号窗口'] } },
      { deviceId: 'keypad-3', command: { type: 'keypadText', text: 'A001' } },
    ]);
    // a restarted satellite registers again: the same text once more
    c.disconnected(ch);
    const again = channel({ ok: true });
    c.connected(again, []);
    expect(again.sent).toHaveLength(2);
  });

  it('a throwing subscriber does not stop the others', () => {
    const host = kiosk();
    const got: string[] = [];
    const errors: unknown[] = [];
    const h = new RemoteHost('x', [{ id: 'k', kind: 'keypad', counter: '1' }], Date.now, (e) => errors.push(e));
    h.onEvent(() => {
      throw new Error('boom');
    });
    h.onEvent((e) => got.push(e.type));
    h.deliver({ type: 'key', deviceId: 'k', key: 'call' });
    expect(got).toEqual(['key']);
    expect(errors).toHaveLength(1);
    expect(host.online).toBe(false);
  });
});

describe('the satellite buffer file', () => {
  it('keeps events across a reopen, in order, never reuses a sequence, and keeps its stream id', () => {
    const path = join(dir, 'satellite.db');
    const a = new EventBuffer(path);
    const stream = a.stream;
    expect(a.append({ type: 'key', deviceId: 'k', key: 'call' }, 1000)).toBe(1);
    expect(a.append({ type: 'rating', deviceId: 'p', level: 5 }, 1001)).toBe(2);
    a.ackUpTo(2);
    a.close();
    const b = new EventBuffer(path);
    expect(b.stream).toBe(stream);
    expect(b.count()).toBe(0);
    expect(b.append({ type: 'key', deviceId: 'k', key: 'finish' }, 1002)).toBe(3); // 1 and 2 were acked and deleted, not reused
    expect(b.after(0, 10)).toEqual([{ seq: 3, at: 1002, event: { type: 'key', deviceId: 'k', key: 'finish' } }]);
    b.close();
    const fresh = new EventBuffer(join(dir, 'other.db'));
    expect(fresh.stream).not.toBe(stream);
    fresh.close();
  });
});
