// Sign-ins: PIN checks per second (scrypt N=2^14, at most 2 at once), and a real sign-in's latency from the
// manager's own PC while 300 sign-ins with unknown staff numbers arrive at once from 15 addresses.
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ms, percentile, startAgentProcess } from '../tests/helpers/agent-process.js';

function postFrom(base: string, from: string, path: string, body: unknown): Promise<number> {
  const u = new URL(base + path);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function timed(fn: () => Promise<number>): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const status = await fn();
  return { status, ms: performance.now() - t0 };
}

async function main() {
  const agent = await startAgentProcess();
  try {
    const manager = () => postFrom(agent.url, '127.0.0.1', '/api/v1/auth/manager', { pin: '9999' });
    if ((await manager()) !== 200) throw new Error('manager sign-in failed');

    // throughput: 8 staff members signing in at their counters, 4 rounds, all at once per round
    const N = 32;
    const t0 = performance.now();
    for (let round = 0; round < 4; round++) {
      const statuses = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          postFrom(agent.url, `127.0.1.${i + 1}`, '/api/v1/auth/staff', {
            counter: String(i + 1),
            staffId: `A100${i + 1}`,
            pin: '1234',
            takeover: true,
          }),
        ),
      );
      if (statuses.some((s) => s !== 200)) throw new Error(`sign-in refused: ${statuses.join(',')}`);
    }
    const elapsed = performance.now() - t0;
    console.log(`sign-in throughput: ${N} sign-ins in ${ms(elapsed)} → ${((N / elapsed) * 1000).toFixed(1)} per second`);

    const quiet: number[] = [];
    for (let i = 0; i < 5; i++) quiet.push((await timed(manager)).ms);
    console.log(`a manager sign-in, quiet hall: median ${ms(percentile(quiet, 50))}`);

    // the flood: 300 unknown staff numbers from 15 addresses (20 each, inside the per-address burst)
    const flood = Array.from({ length: 300 }, (_, i) =>
      postFrom(agent.url, `127.0.2.${(i % 15) + 1}`, '/api/v1/auth/staff', { counter: '3', staffId: `X${9000 + i}`, pin: '1234' }),
    );
    const real = await Promise.all(
      [1, 2, 3].map((k) => new Promise<{ status: number; ms: number }>((r) => setTimeout(() => r(timed(manager)), 300 * k))),
    );
    const statuses = await Promise.all(flood);
    const count = (s: number) => statuses.filter((x) => x === s).length;
    console.log(
      `flood of 300: ${count(401)} × 401 (PIN checked), ${count(429)} × 429 (locked), ${count(503)} × 503 (queue full, Retry-After)`,
    );
    console.log(`a real sign-in under the flood (manager at its own PC): ${real.map((r) => `${r.status} in ${ms(r.ms)}`).join(', ')}`);
  } finally {
    await agent.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
