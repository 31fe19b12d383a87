// The screens' files as a hall PC sends them: precompressed at build (brotli, gzip), and the
// content-hashed assets cached for a year as immutable while the pages that name them are revalidated.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent();
});
afterAll(async () => {
  await agent?.stop();
});

const UI = resolve(import.meta.dirname, '../../../dist/ui');

describe('screen assets', () => {
  it('sends the brotli or gzip file the build wrote, and caches hashed assets as immutable', async () => {
    const js = readdirSync(resolve(UI, 'assets')).find((f) => /^kiosk-.*\.js$/.test(f));
    expect(js, 'npm run build first').toBeTruthy();
    const br = await fetch(`${agent.baseUrl}/assets/${js}`, { headers: { 'accept-encoding': 'br' } });
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    const plain = await (await fetch(`${agent.baseUrl}/assets/${js}`, { headers: { 'accept-encoding': 'identity' } })).text();
    expect(await br.text()).toBe(plain); // the same file, decoded

    const gz = await fetch(`${agent.baseUrl}/assets/${js}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');

    // a page is asked again each time: a new build's asset names reach the screen at once (pages are
    // under 1 KB: not worth a compressed copy)
    const page = await fetch(`${agent.baseUrl}/kiosk`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control') ?? '').not.toContain('immutable');
    expect(await page.text()).toContain('<div');

    expect((await fetch(`${agent.baseUrl}/assets/no-such-file.js`)).status).toBe(404);
  });
});
