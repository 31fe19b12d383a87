import type { HallConfig } from '../config/load.js';
import { storedPin } from '../security/pins.js';
import type { Account, SecurityStore } from '../security/store.js';

/**
 * First start: staff, guide and manager PINs and the terminals come from the YAML (the board manages
 * people afterwards). Later starts add new terminals only. The terminals are in when this returns; the
 * accounts once the promise settles (one scrypt per PIN: ≈ 0.1 s of CPU each, ≈ 1 s for a hall of ten).
 */
export function seedFromConfig(config: HallConfig, store: SecurityStore, at: number): Promise<void> {
  for (const t of config.terminals) {
    if (!store.terminal(t.id)) store.putTerminal({ ...t, readers: t.readers ?? [], disabled: false }, at);
  }
  return store.seeded() ? Promise.resolve() : seedAccounts(config, store, at);
}

async function seedAccounts(config: HallConfig, store: SecurityStore, at: number): Promise<void> {
  const people: Account[] = await Promise.all([
    ...config.staff.map(async (s) => ({
      id: s.id,
      role: 'staff' as const,
      name: s.name,
      pinHash: await storedPin(s.pin),
      counters: s.counters,
      photo: s.photo,
      disabled: false,
    })),
    (async () => ({
      id: 'guide',
      role: 'guide' as const,
      name: '导办员',
      pinHash: await storedPin(config.auth.guidePin),
      disabled: false,
    }))(),
    (async () => ({
      id: 'manager',
      role: 'manager' as const,
      name: '所长',
      pinHash: await storedPin(config.auth.managerPin),
      disabled: false,
    }))(),
  ]);
  store.db.transaction(() => {
    for (const a of people) store.putAccount(a, at);
    store.audit({
      at,
      actor: 'config',
      action: 'seed',
      target: null,
      detail: { accounts: people.length },
      source: config.file,
    });
    store.markSeeded(at);
  })();
}
