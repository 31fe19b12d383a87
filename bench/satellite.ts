// Satellites: a key press on satellite 1's caller keypad (pty) → the LED frame with the called number
// on satellite 2's counter display (pty). Three agent processes on loopback: the press crosses
// satellite 1 → primary (buffer, dedupe, queue) → satellite 2 → serial.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SocatPair } from '../drivers/sim/socat.js';
import { ms, percentile } from '../tests/helpers/agent-process.js';
import { AgentProc, api, DEMO, freePort, KeypadLine, LedDisplay, sleep, tmp, until } from '../tests/satellite/support.js';
import { sized } from './mode.js';

const PRESSES = sized(60, 10);

async function main() {
  const dir = tmp('hallq-bench-sat-');
  const line = new SocatPair();
  const ledPair = new SocatPair();
  await Promise.all([line.start(), ledPair.start()]);
  const keypads = new KeypadLine();
  const led = new LedDisplay();
  await keypads.open(line.b);
  await led.open(ledPair.b);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const primary = new AgentProc(
    'primary',
    AgentProc.write(
      dir,
      'primary',
      `extends: ${DEMO}
devices: []
# the bench issues its tickets in a burst from one kiosk
kiosk: { idleSeconds: 30, printDeadlineSeconds: 20, ticketsPerMinute: 600 }
# the demo's screens, without the demo's ID reader (this primary drives no device of its own)
terminals:
  - { id: kiosk-1, kind: kiosk }
  - { id: counter-1, kind: counter, counter: "1" }
satellites:
  - { id: sat-1, token: bench-sat-1-token-0123456789, devices: [{ id: keypad-1, kind: keypad, counter: "1" }] }
  - { id: sat-2, token: bench-sat-2-token-0123456789, devices: [{ id: led-1, kind: counterDisplay, counter: "1" }] }
`,
    ),
    join(dir, 'primary-data'),
    port,
  );
  const sat = (id: string, device: string) =>
    new AgentProc(
      id,
      AgentProc.write(
        dir,
        id,
        `role: satellite
primary: { url: "${url}", satellite: ${id}, token: bench-${id}-token-0123456789 }
devices:
  - ${device}
`,
      ),
      join(dir, `${id}-data`),
      0,
    );
  const sat1 = sat(
    'sat-1',
    `{ id: keypad-1, kind: keypad, protocol: rs485-keypad, address: 1, transport: { type: serial, path: "${line.a}", baudRate: 9600 } }`,
  );
  const sat2 = sat(
    'sat-2',
    `{ id: led-1, kind: counterDisplay, protocol: led-framed, address: 1, transport: { type: serial, path: "${ledPair.a}", baudRate: 9600 } }`,
  );
  try {
    await Promise.all([primary.start(), sat1.start(), sat2.start()]);
    const connected = async (p: AgentProc) => (await api(p.url, 'GET', '/healthz')).body.connected === true;
    if (!(await until(async () => (await connected(sat1)) && (await connected(sat2)), 30_000)))
      throw new Error('satellites did not register');
    const staff = (await api(url, 'POST', '/api/v1/auth/staff', { counter: '1', staffId: 'A1001', pin: '1234' })).body.token;
    await api(url, 'POST', '/api/v1/counters/1/open', undefined, staff);
    const numbers: string[] = [];
    for (let i = 0; i < PRESSES; i++) numbers.push((await api(url, 'POST', '/api/v1/tickets', { service: 'id-card' })).body.ticket.number);

    const samples: number[] = [];
    for (const number of numbers) {
      const from = led.shows.length;
      const t0 = performance.now();
      // queued in the pad: it leaves on the host's next poll (the poll cycle is part of what a citizen waits)
      const acked = keypads.press(1, 'call');
      const shown = () => led.shows.slice(from).find((s) => s.lines.join(' ').includes(number));
      if (!(await until(() => shown() !== undefined, 10_000, 1))) throw new Error(`LED never showed ${number}`);
      samples.push(shown()!.t - t0);
      await acked;
      await keypads.press(1, 'finish');
      await until(async () => (await api(url, 'GET', '/api/v1/counters/1', undefined, staff)).body.current == null, 10_000);
      await sleep(20);
    }
    console.log(`key press on satellite 1's keypad → LED frame on satellite 2's display (${samples.length} presses, 9600 baud both ends)`);
    console.log(`  p50 ${ms(percentile(samples, 50))}   p99 ${ms(percentile(samples, 99))}   max ${ms(Math.max(...samples))}`);
  } finally {
    await Promise.all([primary.stop(), sat1.stop(), sat2.stop()]);
    for (const p of [keypads.port, led.port]) if (p?.isOpen) await new Promise((r) => p.close(r));
    await Promise.all([line.dispose(), ledPair.dispose()]);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
