import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { DEMO_CONFIG } from '../helpers/agent.js';

/** POST JSON from a chosen loopback source address (127.0.0.x), as if from another PC in the hall. */
export function postFrom(
  baseUrl: string,
  from: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(baseUrl + path);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** The demo hall's YAML with a few lines changed. */
export function demoYaml(edit: (text: string) => string = (t) => t): string {
  return edit(readFileSync(DEMO_CONFIG, 'utf8'));
}

/** A non-demo hall: own secret, 6-digit guide and manager PINs, distinctive staff PINs (greppable). */
export const REAL_PINS = { staff: '283746', guide: '564738', manager: '918273' };
export function realHallYaml(opts: { secret?: boolean; simulator?: boolean } = {}): string {
  return demoYaml((t) => {
    let s = t.replace(/^demo: true\n/m, opts.simulator ? 'simulator: true\n' : '');
    s = s.replace('guidePin: "8888"', `guidePin: "${REAL_PINS.guide}"`).replace('managerPin: "9999"', `managerPin: "${REAL_PINS.manager}"`);
    s = s.replaceAll('pin: "1234"', `pin: "${REAL_PINS.staff}"`);
    // a real hall has no upstream until the hub registers it (and then only over HTTPS with its CA)
    s = s.replace(/\nupstream:[\s\S]*$/, '\n');
    if (opts.secret !== false)
      s = s.replace('  # secret: set HALLQ_SECRET', '  secret: "a-real-hall-secret-of-32-characters"\n  # secret: set HALLQ_SECRET');
    s = s.replace(
      'kiosk: { idleSeconds: 30, printDeadlineSeconds: 20 }',
      'kiosk: { idleSeconds: 30, printDeadlineSeconds: 20, ticketsPerMinute: 600 }',
    );
    return s;
  });
}

/** a valid GB 11643 number from 17 digits */
export function idFrom17(first17: string, check: (s: string) => string): string {
  return first17 + check(first17);
}
