// Writes a known arrival history into a hall's SQLite file as finished tickets, so the agent's
// forecast reads it the way it reads a real hall's: first entries, issue time in the slot, a fixed
// handling time per service, every 10th ticket senior and every 50th green.
import Database from 'better-sqlite3';
import { dayMidnight, type History, SLOT_MS } from '../../common/forecast/slots.js';

export interface Seeded {
  walkIns: number;
  senior: number;
  green: number;
}

export function seedHistory(dbFile: string, history: History, tz: string, minutes: Record<string, number>): Seeded {
  const db = new Database(dbFile);
  db.pragma('busy_timeout = 5000');
  const insert = db.prepare(
    "INSERT INTO tickets (id, day, service, number, state, id_hash, first_entry, data) VALUES (?, ?, ?, ?, 'done', NULL, 1, ?)",
  );
  const out: Seeded = { walkIns: 0, senior: 0, green: 0 };
  db.transaction(() => {
    for (const [day, services] of history) {
      const midnight = dayMidnight(day, tz);
      let seq = 0;
      for (const [service, counts] of services) {
        counts.forEach((n, slot) => {
          for (let k = 0; k < n; k++) {
            seq++;
            out.walkIns++;
            const channel = out.walkIns % 50 === 7 ? 'green' : out.walkIns % 10 === 3 ? 'senior' : 'normal';
            if (channel === 'senior') out.senior++;
            if (channel === 'green') out.green++;
            const issuedAt = midnight + slot * SLOT_MS + Math.floor(((k + 0.5) / n) * SLOT_MS);
            const calledAt = issuedAt + 60_000;
            const id = `${day}-X${String(seq).padStart(4, '0')}`;
            const ticket = {
              id,
              number: `X${seq}`,
              service,
              channel,
              state: 'done',
              day,
              issuedAt,
              calledAt,
              startedAt: calledAt,
              finishedAt: calledAt + (minutes[service] ?? 10) * 60_000,
              recalls: 0,
              rank: seq,
              queuedAt: issuedAt,
            };
            insert.run(id, day, service, ticket.number, JSON.stringify(ticket));
          }
        });
      }
    }
  })();
  db.close();
  return out;
}
