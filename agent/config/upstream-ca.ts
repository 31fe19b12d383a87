// The upward link's transport (upstream.url, upstream.ca), checked when the config loads: outside the
// demo the hall sends its records (ratings, staff numbers, 办不成事 texts) only over HTTPS, verified
// against the CA named by upstream.ca; the demo may talk plain http to a hub on the same PC.
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { RawHallConfig } from './schema.js';

/** upstream.ca → its PEM text (none without upstream or in a plain-http demo), or the problem naming the key */
export function upstreamCa(up: RawHallConfig['upstream'], file: string, demo: boolean): { ca?: string; problem?: string } {
  if (!up) return {};
  const https = up.url.startsWith('https://');
  if (!demo && !https)
    return {
      problem: `upstream.url: "${up.url}" is plain http; outside the demo the hall sends only over HTTPS: use https://… and set upstream.ca to the hub CA's PEM file`,
    };
  if (up.ca === undefined) {
    if (!demo && https)
      return { problem: "upstream.ca: missing; name the PEM file of the CA that signed the hub's certificate (e.g. ca: hub-ca.pem)" };
    return {};
  }
  const path = resolvePath(dirname(file), up.ca);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    return {
      problem: `upstream.ca: cannot read ${path} (${(err as NodeJS.ErrnoException).code}); give the path of the hub CA's PEM file`,
    };
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    return { problem: `upstream.ca: ${path} is not a PEM certificate (-----BEGIN CERTIFICATE-----)` };
  return { ca: pem };
}
