// Counter call (HTTP) → `queue` event received by 50 connected /board and /display socket.io clients.
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { ms, percentile, post, startAgentProcess } from '../tests/helpers/agent-process.js';
import { startFanoutFloor } from './floor.js';
import { sized } from './mode.js';

const CLIENTS_PER_NS = 25;
const CALLS = sized(200, 40);

async function main() {
  const agent = await startAgentProcess();
  const sockets: Socket[] = [];
  try {
    const manager = await post(`${agent.url}/api/v1/auth/manager`, { pin: '9999' });
    const staff = await post(`${agent.url}/api/v1/auth/staff`, { counter: '1', staffId: 'A1001', pin: '1234' });
    await post(`${agent.url}/api/v1/counters/1/open`, undefined, staff.token);
    for (let i = 0; i < CALLS; i++) await post(`${agent.url}/api/v1/tickets`, { service: 'id-card' });

    let pending: { number: string; t0: number; got: number[]; done: () => void } | undefined;
    const onQueue = (msg: { event: { type: string }; ticket?: { number: string } }) => {
      if (pending && msg.event.type === 'ticket.called' && msg.ticket?.number === pending.number) {
        pending.got.push(performance.now() - pending.t0);
        if (pending.got.length === CLIENTS_PER_NS * 2) pending.done();
      }
    };
    for (const ns of ['/board', '/display']) {
      for (let i = 0; i < CLIENTS_PER_NS; i++) {
        const s = io(`${agent.url}${ns}`, { auth: { token: manager.token }, transports: ['websocket'] });
        s.on('queue', onQueue);
        sockets.push(s);
      }
    }
    await Promise.all(sockets.map((s) => new Promise<void>((r) => (s.connected ? r() : void s.once('connect', () => r())))));

    const floorFanout = await startFanoutFloor(CLIENTS_PER_NS);
    const floorLast: number[] = [];
    const all: number[] = [];
    const last: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const number = `A${String(i + 1).padStart(3, '0')}`;
      const got: number[] = [];
      const done = new Promise<void>((resolve) => {
        pending = { number, t0: performance.now(), got, done: resolve };
      });
      await post(`${agent.url}/api/v1/counters/1/call-next`, undefined, staff.token);
      await done;
      all.push(...got);
      last.push(Math.max(...got));
      await post(`${agent.url}/api/v1/counters/1/finish`, undefined, staff.token);
      // the floor's call right beside this one: the same moment of the machine
      floorLast.push(await floorFanout.call());
    }
    await floorFanout.close();
    console.log(
      `realtime fan-out: counter call (HTTP POST) → 'queue' event at ${CLIENTS_PER_NS * 2} socket.io clients (${CLIENTS_PER_NS} /board + ${CLIENTS_PER_NS} /display), ${CALLS} calls`,
    );
    console.log(`  per client receipt   p50 ${ms(percentile(all, 50))}   p99 ${ms(percentile(all, 99))}`);
    console.log(
      `  last of 50 clients   p50 ${ms(percentile(last, 50))}   p99 ${ms(percentile(last, 99))}   (target ≤ 10 ms p99; polling peers see 1500–2000 ms)`,
    );
    console.log(
      `  floor (interleaved)  POST + fsync'd commit + broadcast by a do-nothing socket.io server to the same clients: last p50 ${ms(percentile(floorLast, 50))}   p99 ${ms(percentile(floorLast, 99))}; the agent's p99 = ${(percentile(last, 99) / percentile(floorLast, 99)).toFixed(1)} × it`,
    );
    const rss = agent.rssMiB();
    if (rss !== undefined)
      console.log(`  agent memory        ${rss.toFixed(0)} MiB resident (50 clients, demo devices, ${CALLS} tickets served)`);
  } finally {
    for (const s of sockets) s.close();
    await agent.stop();
  }
}

await main();
