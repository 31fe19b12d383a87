// HTTPS on the hall LAN (server.tls) and the hall CA a satellite trusts (primary.ca). The files are read
// and checked when the config loads, so a wrong path, a key of another certificate or an expired
// certificate stops `hallq start` / `hallq check-config` naming the key path and the fix, instead of a
// TLS error in the first screen that connects.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { createSecureContext } from 'node:tls';

export interface ServerTls {
  key: string;
  cert: string;
  /** the certificate's file, for messages */
  certFile: string;
  /** optional plain-HTTP listener that only redirects browsers to https (agent/api/http-redirect.ts) */
  httpPort?: number;
  /** when the certificate stops being valid (ms since epoch): the board warns ahead of it */
  validTo: number;
}

/** the fix every TLS message ends with: install.sh makes the hall CA and the agent's certificate */
const MAKE = 'run deploy/install.sh --tls on the hall PC (docs/install.md, "HTTPS on the hall LAN")';

type Read = { ok: true; text: string; path: string } | { ok: false; problem: string };

function readPem(configFile: string, keyPath: string, given: string, what: string, marker: RegExp): Read {
  const path = resolvePath(dirname(configFile), given);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const why = code === 'EACCES' ? `; the agent's user (hallq) must be able to read it` : '';
    return { ok: false, problem: `${keyPath}: cannot read ${path} (${code})${why}; give the path of ${what}, or ${MAKE}` };
  }
  if (!marker.test(text)) return { ok: false, problem: `${keyPath}: ${path} is not ${what} in PEM form (${marker.source}); ${MAKE}` };
  return { ok: true, text, path };
}

const CERT = /-----BEGIN CERTIFICATE-----/;
const KEY = /-----BEGIN (?:EC |RSA |ENCRYPTED )?PRIVATE KEY-----/;

/** server.tls → the PEM texts, or the problems (each starting with its key path) */
export function serverTls(
  configFile: string,
  raw: { key: string; cert: string; httpPort?: number } | undefined,
  port: number,
  now = Date.now(),
): { tls?: ServerTls; problems: string[] } {
  if (!raw) return { problems: [] };
  const key = readPem(configFile, 'server.tls.key', raw.key, "the agent's private key", KEY);
  const cert = readPem(configFile, 'server.tls.cert', raw.cert, "the agent's certificate", CERT);
  const problems = [key, cert].flatMap((r) => (r.ok ? [] : [r.problem]));
  if (!key.ok || !cert.ok) return { problems };
  if (/ENCRYPTED/.test(key.text))
    return { problems: [`server.tls.key: ${key.path} is encrypted; the agent starts unattended and needs it without a passphrase`] };
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert.text);
  } catch (err) {
    return { problems: [`server.tls.cert: ${cert.path} does not parse as a certificate (${(err as Error).message}); ${MAKE}`] };
  }
  try {
    createSecureContext({ key: key.text, cert: cert.text });
  } catch (err) {
    return {
      problems: [
        `server.tls.key: ${key.path} is not the key of ${cert.path} (${(err as Error).message}); give the pair install.sh wrote (agent.key, agent.pem)`,
      ],
    };
  }
  const from = Date.parse(x509.validFrom);
  const to = Date.parse(x509.validTo);
  if (to <= now) problems.push(`server.tls.cert: ${cert.path} expired on ${new Date(to).toISOString().slice(0, 10)}; ${MAKE} to renew it`);
  else if (from > now + 5 * 60_000)
    problems.push(`server.tls.cert: ${cert.path} is valid only from ${new Date(from).toISOString()}; check this PC's clock, or ${MAKE}`);
  if (raw.httpPort !== undefined && raw.httpPort === port && port !== 0)
    problems.push(
      `server.tls.httpPort: ${raw.httpPort} is also server.port; the redirect needs a port of its own (e.g. 80 or ${port + 1})`,
    );
  if (problems.length) return { problems };
  return { tls: { key: key.text, cert: cert.text, certFile: cert.path, httpPort: raw.httpPort, validTo: to }, problems };
}

/** server.tls and what depends on it (server.publicUrl): the PEM texts, or the problems */
export function hallTls(
  configFile: string,
  server: { tls?: { key: string; cert: string; httpPort?: number }; publicUrl?: string } | undefined,
  port: number,
): { tls?: ServerTls; problems: string[] } {
  const r = serverTls(configFile, server?.tls, port);
  if (r.tls && server?.publicUrl?.startsWith('http://'))
    return {
      problems: [
        `server.publicUrl: "${server.publicUrl}" is plain http while server.tls is set; use https://… with a name or address in the agent's certificate`,
      ],
    };
  return r;
}

/** a CA file (primary.ca of a satellite): its PEM text, or a problem naming the key */
export function caFile(configFile: string, keyPath: string, given: string, what: string): { pem?: string; problem?: string } {
  const r = readPem(configFile, keyPath, given, what, CERT);
  if (!r.ok) return { problem: r.problem };
  try {
    new X509Certificate(r.text);
  } catch (err) {
    return { problem: `${keyPath}: ${r.path} does not parse as a certificate (${(err as Error).message})` };
  }
  return { pem: r.text };
}
