// Kiosk press (HTTP POST /api/v1/tickets) → first ticket byte on a pty printer, beside the wire time of
// that ticket at 9600 and 115200 baud (the physical limit) and the agent's share of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import { SocatPair } from '../drivers/sim/socat.js';
import { ms, percentile, post, ROOT, startAgentProcess } from '../tests/helpers/agent-process.js';

const TICKETS = 200;

async function main() {
  const pair = new SocatPair();
  await pair.start();
  const printer = new SerialPort({ path: pair.b, baudRate: 115200 });
  await new Promise<void>((ok, fail) => printer.once('open', ok).once('error', fail));
  let waiting: { t0: number; first?: number; bytes: number; done?: () => void } | undefined;
  printer.on('data', (chunk: Buffer) => {
    const now = performance.now();
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 0x10 && chunk[i + 1] === 0x04) printer.write(Buffer.from([0x12])); // healthy printer
    }
    if (!waiting) return;
    const start = waiting.first === undefined ? chunk.indexOf(Buffer.from([0x1b, 0x40])) : 0;
    if (start < 0) return;
    waiting.first ??= now;
    waiting.bytes += chunk.length - start;
    // GS V m: the cut closes the ticket
    const cut = chunk.indexOf(Buffer.from([0x1d, 0x56]));
    if (cut >= 0) waiting.done?.();
  });

  const demo = readFileSync(join(ROOT, 'config/demo-hall.yaml'), 'utf8');
  const agent = await startAgentProcess(
    demo.replace(
      'transport: { type: sim }, options: { paperWidth: 80 } }',
      `transport: { type: serial, path: "${pair.a}", baudRate: 115200 }, options: { paperWidth: 80 } }`,
    ),
  );
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const devices = await (await fetch(`${agent.url}/api/v1/devices`)).json();
      if (devices.devices.find((d: { id: string }) => d.id === 'printer-1')?.status === 'online') break;
      if (Date.now() > deadline) throw new Error('printer never came online');
      await new Promise((r) => setTimeout(r, 50));
    }
    const firstByte: number[] = [];
    const answered: number[] = [];
    const sizes: number[] = [];
    const services = ['id-card', 'hukou-move', 'residence-permit', 'hukou-certificate'];
    for (let i = 0; i < TICKETS; i++) {
      const job: NonNullable<typeof waiting> = { t0: performance.now(), bytes: 0 };
      const done = new Promise<void>((r) => {
        job.done = r;
      });
      waiting = job;
      await post(`${agent.url}/api/v1/tickets`, { service: services[i % services.length], channel: i % 5 === 0 ? 'senior' : 'normal' });
      answered.push(performance.now() - job.t0);
      await Promise.race([done, new Promise((_, fail) => setTimeout(() => fail(new Error(`ticket ${i} not printed`)), 10_000))]);
      firstByte.push((job.first ?? Number.NaN) - job.t0);
      sizes.push(job.bytes);
      waiting = undefined;
    }
    const bytes = percentile(sizes, 50);
    const wire = (baud: number) => (bytes * 10 * 1000) / baud; // 8N1: 10 bit times a byte
    const p50 = percentile(firstByte, 50);
    const p99 = percentile(firstByte, 99);
    console.log(`kiosk press → first ticket byte on a pty printer (real serialport, socat), ${TICKETS} tickets`);
    console.log(`  first byte          p50 ${ms(p50)}   p99 ${ms(p99)}   (target: agent overhead ≤ 5 ms p99)`);
    console.log(
      `  HTTP answer (201)   p50 ${ms(percentile(answered, 50))}   p99 ${ms(percentile(answered, 99))}   (includes the fsync of synchronous=FULL)`,
    );
    console.log(`  ticket size         ${bytes} bytes (median)`);
    console.log(`  wire time  9600 Bd  ${ms(wire(9600))}   → agent overhead p99 = ${((p99 / wire(9600)) * 100).toFixed(1)} % of it`);
    console.log(`  wire time 115200 Bd ${ms(wire(115200))}   → agent overhead p99 = ${((p99 / wire(115200)) * 100).toFixed(1)} % of it`);
  } finally {
    await agent.stop();
    if (printer.isOpen) await new Promise((r) => printer.close(r));
    await pair.dispose();
  }
}

await main();
