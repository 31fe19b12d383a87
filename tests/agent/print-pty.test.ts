import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, DEMO_CONFIG, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { SocatPair } from '../../drivers/sim/socat.js';

/**
 * The whole path through real parts: kiosk press (HTTP) → queue → device manager → real `serialport`
 * → socat pty → bytes read here by a decoder that shares no code with the agent.
 */
let pair: SocatPair;
let agent: TestAgent;
let device: SerialPort;
const received: number[] = [];

const includes = (hay: number[], needle: number[]) => hay.some((_, i) => needle.every((b, j) => hay[i + j] === b));

beforeAll(async () => {
  pair = new SocatPair();
  await pair.start();
  device = new SerialPort({ path: pair.b, baudRate: 115200 });
  await new Promise<void>((ok, fail) => device.once('open', ok).once('error', fail));
  device.on('data', (chunk: Buffer) => {
    for (let i = 0; i < chunk.length; i++) {
      // Answer DLE EOT n status polls like a healthy printer (0x12 = online, paper ok).
      if (chunk[i] === 0x10 && chunk[i + 1] === 0x04) device.write(Buffer.from([0x12]));
    }
    received.push(...chunk);
  });
  const demo = readFileSync(resolve(DEMO_CONFIG), 'utf8');
  const configText = demo.replace(
    '{ id: printer-1, kind: ticketPrinter, protocol: escpos, transport: { type: sim }',
    `{ id: printer-1, kind: ticketPrinter, protocol: escpos, transport: { type: serial, path: "${pair.a}", baudRate: 115200 }`,
  );
  agent = await startTestAgent({ configText });
});

afterAll(async () => {
  await agent?.stop();
  if (device?.isOpen) await new Promise((r) => device.close(r));
  await pair?.dispose();
});

describe('ticket printer on a real serial port', () => {
  it('prints init, the ticket number and a cut for a kiosk press', async () => {
    const until = Date.now() + 5000;
    while (
      Date.now() < until &&
      (await api(agent.baseUrl, 'GET', '/api/v1/devices')).body.devices.find((d: { id: string }) => d.id === 'printer-1').status !==
        'online'
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    received.length = 0;
    const res = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card' });
    expect(res.status).toBe(201);
    expect(res.body.print.status).toBe('queued');
    const number = [...Buffer.from(res.body.ticket.number, 'ascii')];
    const deadline = Date.now() + 5000;
    while (
      Date.now() < deadline &&
      !(
        includes(received, number) &&
        (includes(received, [0x1d, 0x56, 0x00]) ||
          includes(received, [0x1d, 0x56, 0x01]) ||
          includes(received, [0x1d, 0x56, 0x41]) ||
          includes(received, [0x1d, 0x56, 0x42]))
      )
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(includes(received, [0x1b, 0x40]), 'ESC @ init').toBe(true);
    expect(includes(received, number), `ticket number ${res.body.ticket.number}`).toBe(true);
    expect(includes(received, [0x1d, 0x56]), 'GS V cut').toBe(true);
    // the cut comes after the number
    const at = (needle: number[]) => received.findIndex((_, i) => needle.every((b, j) => received[i + j] === b));
    expect(at([0x1d, 0x56])).toBeGreaterThan(at(number));
  });
});
