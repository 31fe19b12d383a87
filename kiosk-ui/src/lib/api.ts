// Thin fetch wrapper. Every 4xx of the agent has the shape
// { error: { code, message (zh), messageEn } }; ApiError keeps both languages so a screen
// shows the citizen's language without mapping codes itself.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageZh: string,
    readonly messageEn: string,
  ) {
    super(messageEn || messageZh || code);
  }
}

import { forgetTerminal, terminalToken } from './terminal.ts';

/** The signed-in person's token for requests that pass none (set by the page after sign-in). */
let pageToken: string | null = null;
export function setPageToken(token: string | null): void {
  pageToken = token;
}

export interface ApiOptions {
  token?: string | null;
  body?: unknown;
  /** raw body (e.g. text/csv) */
  rawBody?: string;
  contentType?: string;
}

export async function api<T = unknown>(method: string, path: string, opts: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  const bearer = opts.token === undefined ? pageToken : opts.token;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  // a registered screen names itself on every request (docs/security.md)
  const terminal = terminalToken();
  if (terminal) headers['x-hallq-terminal'] = terminal;
  let body: string | undefined;
  if (opts.rawBody !== undefined) {
    body = opts.rawBody;
    headers['content-type'] = opts.contentType ?? 'text/plain';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError(0, 'network', '网络连接失败，请稍后再试', 'Network error, please try again');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; messageEn?: string } })?.error;
    // the manager unpaired this screen: forget the token, the page shows the pairing screen after a reload
    if (e?.code === 'terminal_not_registered' && terminal) forgetTerminal();
    throw new ApiError(
      res.status,
      e?.code ?? `http_${res.status}`,
      e?.message ?? `请求失败 (${res.status})`,
      e?.messageEn ?? `Request failed (${res.status})`,
    );
  }
  return data as T;
}

export const get = <T>(path: string, token?: string | null) => api<T>('GET', path, { token });
export const post = <T>(path: string, body?: unknown, token?: string | null) => api<T>('POST', path, { body: body ?? {}, token });
