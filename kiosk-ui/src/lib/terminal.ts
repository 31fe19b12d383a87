// This browser's registration as a hall terminal (kiosk, rating pad, display, counter PC). The page
// pairs once with a one-time code (`?pair=CODE` in the link the manager board or the demo prints, or
// typed on the pairing screen) and keeps its own token in localStorage; every request and socket of
// the page carries it (api.ts, live.svelte.ts). See docs/security.md.

export interface TerminalInfo {
  id: string;
  kind: 'kiosk' | 'pad' | 'display' | 'counter';
  counter: string | null;
  name: string | null;
}

const KEY = 'hallq.terminal';

export function terminalToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function terminalInfo(): TerminalInfo | null {
  try {
    return JSON.parse(localStorage.getItem(`${KEY}.info`) ?? 'null');
  } catch {
    return null;
  }
}

export function saveTerminal(token: string, info: TerminalInfo): void {
  localStorage.setItem(KEY, token);
  localStorage.setItem(`${KEY}.info`, JSON.stringify(info));
}

export function forgetTerminal(): void {
  localStorage.removeItem(KEY);
  localStorage.removeItem(`${KEY}.info`);
}

/** Exchanges a pairing code for this screen's token; throws the agent's refusal. */
export async function pair(code: string): Promise<TerminalInfo> {
  const res = await fetch('/api/v1/terminals/pair', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: code.trim().toUpperCase() }),
  });
  const data = await res.json().catch(() => undefined);
  if (!res.ok) {
    const e = data?.error ?? {};
    const { ApiError } = await import('./api.ts');
    throw new ApiError(res.status, e.code ?? `http_${res.status}`, e.message ?? '配对失败', e.messageEn ?? 'Pairing failed');
  }
  saveTerminal(data.token, data.terminal);
  return data.terminal as TerminalInfo;
}
