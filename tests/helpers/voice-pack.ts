// Every agent a test starts gets a fresh data folder, and a fresh folder means a fresh voice pack:
// 42 espeak-ng runs, about 3.5 s of CPU, for each of the suite's ~100 agents. The pack depends only
// on the vocabulary, so it is generated once per run into a shared folder and copied into each
// new data folder, as a hall copies a pack onto a PC. The agent still checks and loads it the
// same way (a copied pack is a supported install). Tests that hear the chime-only hall
// (HALLQ_ESPEAK pointed at a missing binary) get no copy.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPack } from '../../agent/voice/pack.js';

// named by the code that makes the pack: a change to the vocabulary or the synthesis makes a new one
const source = ['agent/voice/pack.ts', 'agent/voice/text.ts', 'agent/voice/wav.ts']
  .map((f) => readFileSync(resolve(import.meta.dirname, '../..', f), 'utf8'))
  .join('\0');
const SHARED = join(tmpdir(), `hallq-test-voice-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
let ready: Promise<boolean> | undefined;

/**
 * true when the shared pack exists. It is generated in a folder of this process and renamed into
 * place whole, so a worker never copies from a pack another worker is still writing.
 */
function sharedPack(): Promise<boolean> {
  ready ??= (async () => {
    if (existsSync(join(SHARED, 'pack.json'))) return true;
    const mine = `${SHARED}.${process.pid}`;
    try {
      await loadPack(mine, 'espeak-ng');
    } catch {
      rmSync(mine, { recursive: true, force: true });
      return false; // no espeak-ng: each agent finds out for itself
    }
    try {
      renameSync(mine, SHARED);
    } catch {
      rmSync(mine, { recursive: true, force: true }); // another worker was first
    }
    return existsSync(join(SHARED, 'pack.json'));
  })();
  return ready;
}

/** copies the shared voice pack into `<dataDir>/voice` before the agent starts */
export async function seedVoicePack(dataDir: string): Promise<void> {
  if (process.env.HALLQ_ESPEAK) return;
  if (!(await sharedPack())) return;
  const to = join(dataDir, 'voice');
  if (existsSync(join(to, 'pack.json'))) return;
  mkdirSync(dataDir, { recursive: true });
  cpSync(SHARED, to, { recursive: true });
}
