// Agents as separate processes on fixed loopback ports (a primary comes back on its own port after a
// crash, as in a hall), and the far ends of the satellites' serial devices, decoded from
// docs/protocols/*.md alone (no agent code).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import iconv from 'iconv-lite';
import { SerialPort } from 'serialport';
import { agentEntry } from '../helpers/agent-process.js';
import { seedVoicePack } from '../helpers/voice-pack.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DEMO = join(ROOT, 'config/demo-hall.yaml');

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise((ok) => srv.close(ok));
  return port;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(check: () => boolean | Promise<boolean>, ms: number, step = 25): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(step);
  }
  return check();
}

/** One agent process (primary or satellite) that can be SIGKILLed and started again on the same files. */
export class AgentProc {
  private child?: ChildProcess;
  private readonly killer = () => this.child?.kill('SIGKILL');
  out = '';
  url = '';
  readyAt = 0;

  constructor(
    readonly name: string,
    readonly configFile: string,
    readonly dataDir: string,
    readonly port: number,
  ) {}

  static write(dir: string, name: string, yaml: string): string {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, yaml);
    return file;
  }

  async start(timeoutMs = 90_000): Promise<void> {
    await seedVoicePack(this.dataDir);
    const args = [...agentEntry(), '--config', this.configFile, '--port', String(this.port), '--data', this.dataDir];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: process.env.HALLQ_TEST_LOG ?? 'warn' },
    });
    this.child = child;
    process.once('exit', this.killer);
    this.out = '';
    this.url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`${this.name} did not start:\n${this.out}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        this.out += chunk.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+)\/kiosk/.exec(this.out) ?? /health: (http:\/\/127\.0\.0\.1:\d+)\/healthz/.exec(this.out);
        if (m?.[1]) {
          clearTimeout(timer);
          this.readyAt = Date.now();
          ok(m[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`${this.name} exited ${code}:\n${this.out}`));
      });
    });
  }

  /** kill -9: no shutdown code runs, as in a power cut */
  async crash(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
    process.off('exit', this.killer);
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([gone, sleep(5000)]);
    c.kill('SIGKILL');
    process.off('exit', this.killer);
  }
}

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function openPort(path: string, baudRate: number, onData: (chunk: Buffer) => void): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate });
  await new Promise<void>((ok, fail) => port.once('open', ok).once('error', fail));
  port.on('data', onData);
  return port;
}

export async function closePort(port: SerialPort | undefined): Promise<void> {
  if (port?.isOpen) await new Promise((r) => port.close(r));
}

// ---- RS-485 keypads (docs/protocols/rs485-keypad.md): FF 68 L L 68 addr func data… CS 16

export function keypadFrame(addr: number, func: number, data: number[]): Buffer {
  const body = [addr, func, ...data];
  const cs = body.reduce((s, b) => s + b, 0) & 0xff;
  return Buffer.from([0xff, 0x68, body.length, body.length, 0x68, ...body, cs, 0x16]);
}

export function keypadFrames(bytes: number[]): { addr: number; func: number; data: number[]; raw: number[] }[] {
  const out = [];
  for (let i = 0; i + 8 <= bytes.length; i++) {
    if (bytes[i] !== 0xff || bytes[i + 1] !== 0x68 || bytes[i + 2] !== bytes[i + 3] || bytes[i + 4] !== 0x68) continue;
    const len = bytes[i + 2]!;
    const end = i + 5 + len + 2;
    if (end > bytes.length || bytes[end - 1] !== 0x16) continue;
    const body = bytes.slice(i + 5, i + 5 + len);
    if ((body.reduce((s, b) => s + b, 0) & 0xff) !== bytes[end - 2]) continue;
    out.push({ addr: body[0]!, func: body[1]!, data: body.slice(2), raw: bytes.slice(i, end) });
  }
  return out;
}

export const KEY = { call: 0x01, recall: 0x02, skip: 0x03, finish: 0x06 } as const;

/**
 * Polled pads on one RS-485 line (docs/protocols/rs485-keypad.md): each address queues its presses and
 * answers the host's poll (20) with its oldest event (31 key / 32 rating, with a sequence number) or
 * idle (30); the next poll acknowledges the event by its sequence. Display frames (81) are echoed.
 */
export class KeypadLine {
  readonly rx: number[] = [];
  port?: SerialPort;
  private readonly queues = new Map<number, { seq: number; func: number; data: number[] }[]>();
  private readonly nextSeq = new Map<number, number>();
  private scanned = 0;
  /** events the host acknowledged (it has them: a satellite has buffered them) */
  acked = 0;

  async open(path: string): Promise<void> {
    this.port = await openPort(path, 9600, (chunk) => {
      this.rx.push(...chunk);
      this.parse();
    });
  }

  /** frames may arrive split across chunks: parse whole frames from where the last one ended */
  private parse(): void {
    const b = this.rx;
    let i = this.scanned;
    while (i + 8 <= b.length) {
      if (b[i] !== 0xff || b[i + 1] !== 0x68 || b[i + 2] !== b[i + 3] || b[i + 4] !== 0x68) {
        i++;
        continue;
      }
      const end = i + 5 + b[i + 2]! + 2;
      if (end > b.length) break; // incomplete: wait for more
      const [f] = keypadFrames(b.slice(i, end));
      if (f) {
        this.onFrame(f);
        i = end;
      } else i++;
    }
    this.scanned = i;
  }

  private onFrame(f: { addr: number; func: number; data: number[]; raw: number[] }): void {
    if (f.func === 0x81) {
      this.port?.write(Buffer.from(f.raw));
      return;
    }
    if (f.func !== 0x20) return;
    const q = this.queues.get(f.addr) ?? [];
    if (q[0] && q[0].seq === f.data[0]) {
      q.shift();
      this.acked++;
    }
    const head = q[0];
    this.port?.write(head ? keypadFrame(f.addr, head.func, [head.seq, ...head.data]) : keypadFrame(f.addr, 0x30, []));
  }

  private get pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** queues the event and waits for the host's acknowledgement: then the satellite has the event */
  async send(addr: number, func: number, data: number[], ms = 10_000): Promise<void> {
    const seq = this.nextSeq.get(addr) ?? 1;
    this.nextSeq.set(addr, seq >= 255 ? 1 : seq + 1);
    const q = this.queues.get(addr) ?? [];
    q.push({ seq, func, data });
    this.queues.set(addr, q);
    if (!(await until(() => !this.queues.get(addr)?.some((e) => e.seq === seq), ms, 5)))
      throw new Error(`pad ${addr}: event seq ${seq} not acknowledged by the host within ${ms} ms (${this.pending} pending)`);
  }

  press(addr: number, key: keyof typeof KEY): Promise<void> {
    return this.send(addr, 0x31, [KEY[key]]);
  }

  rate(addr: number, level: number): Promise<void> {
    return this.send(addr, 0x32, [level]);
  }
}

// ---- framed LED display (docs/protocols/led-framed.md): AA 55 addr cmd lenLo lenHi … CS 0D

export class LedDisplay {
  readonly rx: number[] = [];
  port?: SerialPort;
  /** when each show frame arrived (ms, performance.now) with its lines */
  readonly shows: { t: number; addr: number; lines: string[] }[] = [];

  async open(path: string): Promise<void> {
    this.port = await openPort(path, 9600, (chunk) => {
      this.rx.push(...chunk);
      const bytes = [...chunk];
      for (let i = 0; i + 1 < bytes.length; i++) {
        if (bytes[i] === 0xaa && bytes[i + 1] === 0x55 && bytes[i + 3] !== undefined && bytes[i + 3]! < 0x80) {
          const addr = bytes[i + 2]!;
          const cmd = bytes[i + 3]! | 0x80;
          const cs = (addr + cmd + 1) & 0xff;
          this.port?.write(Buffer.from([0xaa, 0x55, addr, cmd, 0x01, 0x00, 0x00, cs, 0x0d]));
        }
      }
      this.decode();
    });
  }

  private scanned = 0;
  private decode(): void {
    const bytes = this.rx;
    let i = this.scanned;
    for (; i + 8 <= bytes.length; i++) {
      if (bytes[i] !== 0xaa || bytes[i + 1] !== 0x55) continue;
      const len = bytes[i + 4]! | (bytes[i + 5]! << 8);
      const end = i + 6 + len + 2;
      if (end > bytes.length) break; // incomplete: look again when more arrives
      if (bytes[end - 1] !== 0x0d) continue;
      const cs = bytes.slice(i + 2, i + 6 + len).reduce((s, b) => s + b, 0) & 0xff;
      if (cs !== bytes[end - 2] || bytes[i + 3] !== 0x10) continue;
      const payload = bytes.slice(i + 6, i + 6 + len);
      const lines: string[] = [];
      let o = 1;
      for (let n = 0; n < payload[0]!; n++) {
        const size = payload[o]!;
        lines.push(iconv.decode(Buffer.from(payload.slice(o + 1, o + 1 + size)), 'gb18030'));
        o += 1 + size;
      }
      this.shows.push({ t: performance.now(), addr: bytes[i + 2]!, lines });
      i = end - 1;
    }
    this.scanned = i;
  }

  showed(text: string): boolean {
    return this.shows.some((s) => s.lines.join(' ').includes(text));
  }
}

// ---- ESC/POS printer: answers DLE EOT n like a healthy printer (0x12), keeps every byte

export class Printer {
  readonly rx: number[] = [];
  port?: SerialPort;

  async open(path: string): Promise<void> {
    this.port = await openPort(path, 115200, (chunk) => {
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x10 && chunk[i + 1] === 0x04) this.port?.write(Buffer.from([0x12]));
      this.rx.push(...chunk);
    });
  }

  has(needle: number[]): boolean {
    return this.rx.some((_, i) => needle.every((b, j) => this.rx[i + j] === b));
  }
}

// the shared helper: it pairs the demo's kiosk and pads for the routes only registered screens may call
export { api } from '../helpers/agent.js';
