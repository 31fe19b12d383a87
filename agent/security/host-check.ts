import { hostname, networkInterfaces } from 'node:os';
import type { HallConfig } from '../config/load.js';

// DNS rebinding: a page on evil.example whose name later resolves to the hall PC reaches the API and
// socket.io with the browser's own address. The Host header such a browser sends is evil.example, so the
// agent answers only names the hall gave it: localhost, the PC's own IPs (looked up again when a new one
// appears: DHCP), its host name, publicUrl's host and server.hostNames. Everything else gets 421.

const REFRESH_MS = 10_000;

/** the host part of a Host header, lower case, without port or IPv6 brackets */
export function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : undefined;
  }
  const colon = h.indexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

export class HostCheck {
  private readonly fixed = new Set<string>();
  private ips = new Set<string>();
  private lookedUp = 0;

  constructor(config: Pick<HallConfig, 'server'>) {
    for (const n of ['localhost', '127.0.0.1', '::1', hostname().toLowerCase(), ...config.server.hostNames])
      this.fixed.add(n.toLowerCase());
    if (config.server.host !== '0.0.0.0' && config.server.host !== '::') this.fixed.add(config.server.host.toLowerCase());
    if (config.server.publicUrl) {
      try {
        this.fixed.add(new URL(config.server.publicUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase());
      } catch {
        // the schema checked its shape; a URL that does not parse adds nothing
      }
    }
    this.refresh();
  }

  private refresh(): void {
    this.lookedUp = Date.now();
    const ips = new Set<string>();
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) ips.add(a.address.toLowerCase());
    this.ips = ips;
  }

  allows(header: string | undefined): boolean {
    const h = hostOf(header);
    if (!h) return false;
    if (this.fixed.has(h) || this.ips.has(h) || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h)) return true;
    if (Date.now() - this.lookedUp > REFRESH_MS) {
      this.refresh();
      return this.ips.has(h);
    }
    return false;
  }
}
