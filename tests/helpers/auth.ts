// One place where tests get their credentials, so every test signs in and pairs the way a hall does:
// the manager PIN, a one-time pairing code from POST /api/v1/terminals/:id/pair-code, and the
// screen's own token from POST /api/v1/terminals/pair. Requests that only a registered screen may
// make (issuing, check-in, 办不成事, ratings) get the matching terminal token unless the caller says
// otherwise, so tests written before terminals existed keep exercising the same flows.

export const DEMO_MANAGER_PIN = '9999';

const managerTokens = new Map<string, Promise<string>>();
const terminalTokens = new Map<string, Promise<string>>();

async function json(baseUrl: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(baseUrl + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A manager session (cached per agent). */
export function managerToken(baseUrl: string, pin = DEMO_MANAGER_PIN): Promise<string> {
  let t = managerTokens.get(baseUrl);
  if (!t) {
    t = json(baseUrl, 'POST', '/api/v1/auth/manager', { pin }).then((r) => r.token as string);
    t.catch(() => managerTokens.delete(baseUrl));
    managerTokens.set(baseUrl, t);
  }
  return t;
}

/** A one-time pairing code for a registered terminal, made by the manager. */
export async function pairCode(baseUrl: string, terminalId: string): Promise<string> {
  const manager = await managerToken(baseUrl);
  const r = await json(
    baseUrl,
    'POST',
    `/api/v1/terminals/${encodeURIComponent(terminalId)}/pair-code`,
    {},
    { authorization: `Bearer ${manager}` },
  );
  return r.code as string;
}

/** Pairs like a screen does and returns its token; `fresh` pairs again instead of reusing (a second browser). */
export function terminalToken(baseUrl: string, terminalId: string, opts: { fresh?: boolean } = {}): Promise<string> {
  const key = `${baseUrl} ${terminalId}`;
  let t = opts.fresh ? undefined : terminalTokens.get(key);
  if (!t) {
    t = pairCode(baseUrl, terminalId).then(
      async (code) => (await json(baseUrl, 'POST', '/api/v1/terminals/pair', { code })).token as string,
    );
    t.catch(() => terminalTokens.delete(key));
    if (!opts.fresh) terminalTokens.set(key, t);
  }
  return t;
}

/** Forget cached credentials of an agent that stopped (its port may be reused). */
export function forgetAgent(baseUrl: string): void {
  managerTokens.delete(baseUrl);
  for (const k of terminalTokens.keys()) if (k.startsWith(`${baseUrl} `)) terminalTokens.delete(k);
}

/** The terminal a demo-hall request needs, or undefined. */
export function terminalFor(method: string, path: string): string | undefined {
  if (method !== 'POST') return undefined;
  if (/^\/api\/v1\/(tickets(\/return)?|appointments\/check-in|reports\/unresolved)\/?$/.test(path)) return 'kiosk-1';
  const m = /^\/api\/v1\/counters\/([^/]+)\/rating(\/timeout)?$/.exec(path);
  if (m?.[1]) return `pad-${decodeURIComponent(m[1])}`;
  return undefined;
}

/** Headers with the terminal token a request needs (see terminalFor); none when `terminal` is null. */
export async function terminalHeaders(
  baseUrl: string,
  method: string,
  path: string,
  terminal?: string | null,
): Promise<Record<string, string>> {
  const id = terminal === null ? undefined : (terminal ?? terminalFor(method, path.split('?')[0] ?? path));
  if (!id) return {};
  try {
    return { 'x-hallq-terminal': await terminalToken(baseUrl, id) };
  } catch {
    return {}; // a hall without that terminal: the request goes out anonymous and the agent decides
  }
}
