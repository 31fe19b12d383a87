// Counter call (HTTP) → `queue` event received by 50 connected /board and /display socket.io clients.
import { ms, percentile, post, startAgentProcess } from '../tests/helpers/agent-process.js';
import { startFanoutClients } from './fanout-clients.js';
import { startFanoutFloor } from './floor.js';
import { sized } from './mode.js';

const CLIENTS_PER_NS = 25;
const CALLS = sized(200, 40);
// the screens' event loops: a hall has 50 machines, the rig has threads (bench/fanout-clients.ts)
const THREADS = Number(process.env.HALLQ_BENCH_FANOUT_THREADS ?? 1);
const since = (t0: bigint, t: bigint) => Number(t - t0) / 1e6;

async function main() {
  const agent = await startAgentProcess();
  let clients: Awaited<ReturnType<typeof startFanoutClients>> | undefined;
  let floorFanout: Awaited<ReturnType<typeof startFanoutFloor>> | undefined;
  try {
    const manager = await post(`${agent.url}/api/v1/auth/manager`, { pin: '9999' });
    const staff = await post(`${agent.url}/api/v1/auth/staff`, { counter: '1', staffId: 'A1001', pin: '1234' });
    await post(`${agent.url}/api/v1/counters/1/open`, undefined, staff.token);
    for (let i = 0; i < CALLS; i++) await post(`${agent.url}/api/v1/tickets`, { service: 'id-card' });

    clients = await startFanoutClients({
      url: agent.url,
      namespaces: ['/board', '/display'],
      perNamespace: CLIENTS_PER_NS,
      threads: THREADS,
      auth: { token: manager.token },
    });
    floorFanout = await startFanoutFloor(CLIENTS_PER_NS, THREADS);
    const floorLast: number[] = [];
    const all: number[] = [];
    const last: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const number = `A${String(i + 1).padStart(3, '0')}`;
      const got = clients.receipts(number);
      const t0 = process.hrtime.bigint();
      await post(`${agent.url}/api/v1/counters/1/call-next`, undefined, staff.token);
      const times = (await got).map((t) => since(t0, t));
      all.push(...times);
      last.push(Math.max(...times));
      await post(`${agent.url}/api/v1/counters/1/finish`, undefined, staff.token);
      // the floor's call right beside this one: the same moment of the machine
      floorLast.push(await floorFanout.call());
    }
    console.log(
      `realtime fan-out: counter call (HTTP POST) → 'queue' event at ${CLIENTS_PER_NS * 2} socket.io clients (${CLIENTS_PER_NS} /board + ${CLIENTS_PER_NS} /display, on ${THREADS} client thread${THREADS === 1 ? '' : 's'}), ${CALLS} calls`,
    );
    console.log(`  per client receipt   p50 ${ms(percentile(all, 50))}   p99 ${ms(percentile(all, 99))}`);
    console.log(
      `  last of 50 clients   p50 ${ms(percentile(last, 50))}   p99 ${ms(percentile(last, 99))}   (target ≤ 10 ms p99; polling peers see 1500–2000 ms)`,
    );
    console.log(
      `  floor (interleaved)  POST + fsync'd commit + broadcast by a do-nothing socket.io server to the same kind of clients: last p50 ${ms(percentile(floorLast, 50))}   p99 ${ms(percentile(floorLast, 99))}; the agent's p99 = ${(percentile(last, 99) / percentile(floorLast, 99)).toFixed(1)} × it`,
    );
    const rss = agent.rssMiB();
    if (rss !== undefined)
      console.log(`  agent memory        ${rss.toFixed(0)} MiB resident (50 clients, demo devices, ${CALLS} tickets served)`);
  } finally {
    await floorFanout?.close();
    await clients?.close();
    await agent.stop();
  }
}

await main();
