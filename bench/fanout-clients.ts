// The 50 screens of a call fan-out, each group in a worker thread of its own. In a hall every board and
// display is its own machine; 50 socket.io clients in the bench's one event loop made the rig the
// bottleneck: the last of 50 waited for 49 parses and the rig's own garbage collections (the do-nothing
// floor server alone had a p99 of 12–16 ms that way, with the first client served in 4 ms). Worker
// threads keep the real socket.io client and its parse, on separate loops and heaps. Receipt times are
// taken with process.hrtime (CLOCK_MONOTONIC, one clock for every thread).
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { io } = require(workerData.client);
const sockets = workerData.namespaces.map((ns) =>
  io(workerData.url + ns, { auth: workerData.auth, transports: ['websocket'], forceNew: true }),
);
// per awaited key: the receipt times so far; one message to the parent once every socket has it
const got = new Map();
for (const s of sockets)
  s.on('queue', (msg) => {
    const t = process.hrtime.bigint();
    if (msg?.event?.type !== 'ticket.called' || typeof msg.ticket?.number !== 'string') return;
    const key = msg.ticket.number;
    const times = got.get(key) ?? [];
    times.push(t);
    got.set(key, times);
    if (times.length === sockets.length) {
      got.delete(key);
      parentPort.postMessage({ key, times });
    }
  });
let connected = 0;
for (const s of sockets) {
  s.once('connect', () => ++connected === sockets.length && parentPort.postMessage({ ready: true }));
  s.once('connect_error', (e) => parentPort.postMessage({ error: e.message }));
}
parentPort.on('message', (m) => {
  if (m === 'close') {
    for (const s of sockets) s.close();
    parentPort.close();
  }
});
`;

export interface FanoutClients {
  /** hrtime (ns) of every client's receipt of the ticket.called message for `number` */
  receipts(number: string): Promise<bigint[]>;
  close(): Promise<void>;
}

/**
 * `perNamespace` clients on each namespace, spread over `threads` worker threads (each thread holds the
 * same share of every namespace). Resolves once every client is connected.
 */
export async function startFanoutClients(opts: {
  url: string;
  namespaces: string[];
  perNamespace: number;
  threads: number;
  auth?: Record<string, string>;
}): Promise<FanoutClients> {
  const client = createRequire(import.meta.url).resolve('socket.io-client');
  const waiting = new Map<string, { parts: bigint[][]; done: (t: bigint[]) => void }>();
  const early = new Map<string, bigint[][]>();
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  for (let w = 0; w < opts.threads; w++) {
    const namespaces: string[] = [];
    for (const ns of opts.namespaces) for (let i = w; i < opts.perNamespace; i += opts.threads) namespaces.push(ns);
    const worker = new Worker(WORKER, { eval: true, workerData: { client, url: opts.url, namespaces, auth: opts.auth } });
    workers.push(worker);
    ready.push(
      new Promise<void>((ok, fail) => {
        worker.on('message', (m: { ready?: true; error?: string; key?: string; times?: bigint[] }) => {
          if (m.ready) ok();
          else if (m.error) fail(new Error(`fan-out client: ${m.error}`));
          else if (m.key && m.times) {
            const w8 = waiting.get(m.key);
            const parts = w8?.parts ?? early.get(m.key) ?? [];
            parts.push(m.times);
            if (!w8) early.set(m.key, parts);
            else if (parts.length === workers.length) {
              waiting.delete(m.key);
              w8.done(parts.flat());
            }
          }
        });
        worker.once('error', fail);
      }),
    );
  }
  await Promise.all(ready);
  return {
    receipts(number) {
      return new Promise<bigint[]>((done) => {
        const parts = early.get(number) ?? [];
        early.delete(number);
        if (parts.length === workers.length) return done(parts.flat());
        waiting.set(number, { parts, done });
      });
    },
    async close() {
      for (const w of workers) w.postMessage('close');
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
