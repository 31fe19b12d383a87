// Logs go to the journal as JSON: no credentials or ID numbers in them, and a request id per request.
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { requestId } from '../../agent/api/request-id.js';
import { createLogger } from '../../agent/cli/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  return { lines, stream };
}

describe('agent logs', () => {
  it('are one JSON object per line with an ISO time; PINs, tokens, ID numbers and auth headers are redacted', async () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    log.info(
      { staff: { pin: '482913', token: 'abc.def' }, idNumber: '34010419900101123X', req: { headers: { authorization: 'Bearer s3cret' } } },
      'login',
    );
    log.child({ module: 'devices' }).warn({ device: { idNumber: '34010419900101123X' } }, 'card read');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    const all = lines.join('\n');
    for (const secret of ['482913', 'abc.def', '34010419900101123X', 's3cret']) expect(all).not.toContain(secret);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ level: 30, msg: 'login', staff: { pin: '[redacted]' }, idNumber: '[redacted]' });
    expect(first.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(JSON.parse(lines[1]!)).toMatchObject({ module: 'devices', device: { idNumber: '[redacted]' } });
  });

  it('give every request its own id, keeping a proxy’s plain X-Request-Id and never a forged one', () => {
    const req = (h?: string) => ({ headers: h === undefined ? {} : { 'x-request-id': h } }) as unknown as IncomingMessage;
    const a = requestId(req());
    const b = requestId(req());
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(b).not.toBe(a);
    expect(requestId(req('lb-7f3a.42'))).toBe('lb-7f3a.42');
    for (const bad of ['x\n{"level":60,"msg":"forged"}', 'a'.repeat(65), '']) expect(requestId(req(bad))).toMatch(/^[0-9a-f]{16}$/);
  });
});
