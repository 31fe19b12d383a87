// Cross-checks of the `devices:` section, derived from the protocol registry: which protocol drives
// which kind over which transport, its options, bus addresses, and one set of line settings per
// serial port (devices sharing a path share one RS-485 bus and must agree on its framing).
import { type DeviceConfig, describeLine, lineSettings } from '../../drivers/config.js';
import { protocolEntry, protocolsForKind } from '../../drivers/registry/index.js';
import type { Issue } from './spec.js';

/** `counterIds` null: a satellite PC's config, whose devices the primary's config binds to counters */
export function checkDevices(devices: DeviceConfig[], counterIds: Set<string> | null, issues: Issue[]): void {
  const seen = new Map<string, number>();
  devices.forEach((d, i) => {
    const at = `devices[${i}]`;
    if (seen.has(d.id)) issues.push({ path: `${at}.id`, expected: `a device id not used by devices[${seen.get(d.id)}]`, got: d.id });
    else seen.set(d.id, i);
    const entry = protocolEntry(d.protocol);
    if (!entry) return; // the schema already named the protocol
    if (!entry.kinds.includes(d.kind)) {
      issues.push({
        path: `${at}.protocol`,
        expected: `a protocol that can drive a ${d.kind} (${protocolsForKind(d.kind).join(' or ')})`,
        got: d.protocol,
      });
    }
    if (d.transport.type !== 'sim' && !entry.transports.includes(d.transport.type)) {
      const t = entry.transports;
      const want = t.length > 1 ? `${t.slice(0, -1).join(', ')} or ${t.at(-1)}` : t.join('');
      const article = /^[aeioh]/.test(want) ? 'an' : 'a';
      issues.push({
        path: `${at}.transport.type`,
        expected: `${article} ${want} transport for protocol ${d.protocol}`,
        got: d.transport.type,
      });
    }
    if (entry.address && d.address !== undefined && (d.address < entry.address.min || d.address > entry.address.max)) {
      const why = entry.address.why ? ` (${entry.address.why})` : '';
      issues.push({
        path: `${at}.address`,
        expected: `a ${entry.address.label ?? d.protocol} address from ${entry.address.min} to ${entry.address.max}${why}`,
        got: d.address,
      });
    }
    if (d.transport.type === 'serial' && d.transport.rtscts && d.transport.xonxoff)
      issues.push({ path: `${at}.transport.xonxoff`, expected: 'false when rtscts is true (one flow control per port)', got: true });
    entry.checkOptions(d.options ?? {}, `${at}.options`, issues, d);
    if (counterIds === null) return;
    const needsCounter = d.kind === 'counterDisplay' || d.kind === 'keypad' || d.kind === 'ratingPad';
    if (needsCounter && d.counter === undefined)
      issues.push({ path: `${at}.counter`, expected: `the counter id this ${d.kind} belongs to`, got: undefined });
    if (d.counter !== undefined && !counterIds.has(d.counter))
      issues.push({ path: `${at}.counter`, expected: `a counter id from counters[] (${[...counterIds].join(', ')})`, got: d.counter });
  });
  checkPorts(devices, issues);
}

/** Devices on one serial path: same line settings, no device that needs the port alone, distinct addresses. */
function checkPorts(devices: DeviceConfig[], issues: Issue[]): void {
  const byPath = new Map<string, number[]>();
  devices.forEach((d, i) => {
    if (d.transport.type !== 'serial') return;
    const list = byPath.get(d.transport.path) ?? [];
    list.push(i);
    byPath.set(d.transport.path, list);
  });
  for (const [path, idx] of byPath) {
    if (idx.length < 2) continue;
    const first = idx[0]!;
    const a = devices[first]!;
    const lineA = describeLine(lineSettings(a.transport, protocolEntry(a.protocol)?.line));
    const addrs = new Map<string, number>();
    for (const i of idx) {
      const d = devices[i]!;
      const entry = protocolEntry(d.protocol);
      if (entry && !entry.sharesPort)
        issues.push({
          path: `devices[${i}].transport.path`,
          expected: `a port of its own: a ${d.protocol} ${d.kind} cannot share ${path} (also used by ${idx
            .filter((j) => j !== i)
            .map((j) => devices[j]!.id)
            .join(', ')})`,
          got: path,
        });
      if (i !== first) {
        const line = describeLine(lineSettings(d.transport, entry?.line));
        if (line !== lineA)
          issues.push({
            path: `devices[${i}].transport`,
            expected: `the same line settings as devices[${first}] "${a.id}" on ${path} (${lineA}); "${d.id}" has ${line} — set baudRate, dataBits, parity, stopBits and flow control alike on both`,
            got: line,
          });
      }
      const key = `${d.protocol}:${d.address ?? 1}`;
      const other = addrs.get(key);
      if (other !== undefined)
        issues.push({
          path: `devices[${i}].address`,
          expected: `an address not used by devices[${other}] "${devices[other]!.id}" on the same bus ${path}`,
          got: d.address ?? 1,
        });
      else addrs.set(key, i);
    }
  }
}
