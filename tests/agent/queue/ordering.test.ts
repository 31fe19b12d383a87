import { describe, expect, it } from 'vitest';
import { counter, makeEngine, service } from './fixtures.js';

const MIN = 60_000;
const numbers = (xs: ({ number: string } | null)[]) => xs.map((x) => x?.number ?? null);

function drain(engine: ReturnType<typeof makeEngine>['engine'], c: string, n: number) {
  const out: ({ number: string } | null)[] = [];
  for (let i = 0; i < n; i++) {
    const t = engine.callNext(c);
    out.push(t);
    if (t) engine.finish(c);
  }
  return numbers(out);
}

describe('calling order', () => {
  it('green first, then started appointments, then senior/normal', () => {
    const { engine, clock } = makeEngine();
    engine.importAppointments([{ code: 'P1', service: 'idcard', slotStart: clock.t - 5 * MIN, slotEnd: clock.t + 25 * MIN }]);
    engine.issue({ service: 'idcard' }); // A001 normal
    engine.checkInAppointment('P1'); // A002 appointment
    engine.issue({ service: 'idcard', channel: 'green', issuedBy: 'guide' }); // A003
    engine.open('1');
    expect(drain(engine, '1', 4)).toEqual(['A003', 'A002', 'A001', null]);
  });

  it('an early appointment waits for its slot', () => {
    const { engine, clock } = makeEngine();
    engine.importAppointments([{ code: 'P1', service: 'idcard', slotStart: clock.t + 10 * MIN, slotEnd: clock.t + 40 * MIN }]);
    const r = engine.checkInAppointment('P1');
    expect(r.early).toBe(true);
    engine.open('1');
    expect(engine.callNext('1')).toBeNull();
    clock.advance(10 * MIN);
    expect(engine.callNext('1')?.number).toBe('A001');
  });

  it('at a 老年人专窗 senior is strictly first', () => {
    const { engine } = makeEngine();
    engine.issue({ service: 'idcard' }); // A001
    engine.issue({ service: 'idcard' }); // A002
    engine.issue({ service: 'idcard', channel: 'senior' }); // A003
    engine.issue({ service: 'idcard', channel: 'senior' }); // A004
    engine.open('3');
    expect(drain(engine, '3', 4)).toEqual(['A003', 'A004', 'A001', 'A002']);
  });

  it('elsewhere senior interleaves 1:2 with normal', () => {
    const { engine } = makeEngine();
    for (let i = 0; i < 6; i++) engine.issue({ service: 'idcard' }); // A001..A006
    for (let i = 0; i < 3; i++) engine.issue({ service: 'idcard', channel: 'senior' }); // A007..A009
    engine.open('1');
    expect(drain(engine, '1', 9)).toEqual(['A007', 'A001', 'A002', 'A008', 'A003', 'A004', 'A009', 'A005', 'A006']);
  });

  it('the ratio is configurable (1:1)', () => {
    const { engine } = makeEngine({ rules: { seniorRatio: { senior: 1, normal: 1 } } });
    for (let i = 0; i < 3; i++) engine.issue({ service: 'idcard' });
    for (let i = 0; i < 3; i++) engine.issue({ service: 'idcard', channel: 'senior' });
    engine.open('1');
    expect(drain(engine, '1', 6)).toEqual(['A004', 'A001', 'A005', 'A002', 'A006', 'A003']);
  });

  it('a normal ticket past the starvation bound is not passed by seniors any more', () => {
    const { engine, clock } = makeEngine({ rules: { starvationMs: 20 * MIN } });
    engine.issue({ service: 'idcard' }); // A001
    clock.advance(21 * MIN);
    engine.issue({ service: 'idcard', channel: 'senior' }); // A002
    engine.issue({ service: 'idcard', channel: 'senior' }); // A003
    engine.open('3'); // senior counter would otherwise call seniors first
    expect(drain(engine, '3', 3)).toEqual(['A001', 'A002', 'A003']);
  });

  it('starved tickets also beat started appointments but never green', () => {
    const { engine, clock } = makeEngine({ rules: { starvationMs: 20 * MIN } });
    engine.issue({ service: 'idcard' }); // A001
    clock.advance(25 * MIN);
    engine.importAppointments([{ code: 'P', service: 'idcard', slotStart: clock.t, slotEnd: clock.t + 30 * MIN }]);
    engine.checkInAppointment('P'); // A002
    engine.issue({ service: 'idcard', channel: 'green', issuedBy: 'counter' }); // A003
    engine.open('1');
    expect(drain(engine, '1', 3)).toEqual(['A003', 'A001', 'A002']);
  });

  it('services in the counter’s preference order', () => {
    const { engine } = makeEngine();
    engine.issue({ service: 'idcard' }); // A001
    engine.issue({ service: 'move' }); // B001
    engine.issue({ service: 'idcard' }); // A002
    engine.open('2'); // prefers move
    expect(drain(engine, '2', 3)).toEqual(['B001', 'A001', 'A002']);
  });

  it('a counter never calls a service it does not handle', () => {
    const { engine } = makeEngine();
    engine.issue({ service: 'birth' });
    engine.open('1');
    expect(engine.callNext('1')).toBeNull();
  });

  it('a 绿色通道 counter takes green tickets of any service', () => {
    const { engine } = makeEngine({
      services: [service('idcard', 'A'), service('move', 'B')],
      counters: [counter('1', ['idcard'], { green: true }), counter('2', ['move'])],
    });
    engine.issue({ service: 'move', channel: 'green', issuedBy: 'guide' });
    engine.open('1');
    expect(engine.callNext('1')?.number).toBe('B001');
  });

  it('AB岗: a closed counter’s queue is served by its backup', () => {
    const { engine } = makeEngine();
    engine.issue({ service: 'birth' }); // C001, only counter 4 handles birth, 4 is closed
    engine.open('2');
    expect(engine.callNext('2')?.number).toBe('C001');
    engine.open('1'); // 1 is nobody's backup
    engine.issue({ service: 'birth' });
    expect(engine.callNext('1')).toBeNull();
  });

  it('AB岗 in action: pause A, B calls its queue; resume A, B stops', () => {
    const { engine } = makeEngine();
    engine.open('4');
    engine.open('2');
    engine.issue({ service: 'birth' }); // C001
    engine.issue({ service: 'birth' }); // C002
    expect(engine.callNext('2')).toBeNull(); // 4 is open: its queue is its own
    engine.pause('4', '系统故障');
    expect(engine.callNext('2')?.number).toBe('C001');
    engine.finish('2');
    engine.resume('4');
    expect(engine.callNext('2')).toBeNull();
    expect(engine.callNext('4')?.number).toBe('C002');
  });

  it('AB岗 takes only the dedicated queue: services someone else serves stay with them', () => {
    const { engine } = makeEngine({
      services: [service('idcard', 'A'), service('move', 'B'), service('birth', 'C')],
      counters: [counter('1', ['idcard', 'birth'], { backupCounter: '2' }), counter('2', ['move']), counter('3', ['idcard'])],
    });
    engine.open('2');
    engine.open('3');
    engine.issue({ service: 'idcard' });
    engine.issue({ service: 'birth' });
    // counter 1 is closed; idcard is still served by 3, birth by nobody → 2 takes birth only
    expect(engine.callNext('2')?.number).toBe('C001');
    engine.finish('2');
    expect(engine.callNext('2')).toBeNull();
  });

  it('is deterministic: same state and clock, same call', () => {
    const run = () => {
      const { engine, clock } = makeEngine();
      engine.open('1');
      engine.open('3');
      const out: (string | null)[] = [];
      for (let i = 0; i < 30; i++) {
        engine.issue({ service: i % 3 === 0 ? 'move' : 'idcard', channel: i % 4 === 0 ? 'senior' : 'normal' });
        clock.advance(MIN);
        if (i % 2 === 0) {
          for (const c of ['1', '3']) {
            const t = engine.callNext(c);
            out.push(t?.id ?? null);
            if (t) engine.finish(c);
          }
        }
      }
      return out;
    };
    expect(run()).toEqual(run());
  });
});
