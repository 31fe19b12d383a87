// The voice's health check: a hall that installs espeak-ng or copies a recorded clip pack gets
// spoken calls back without restarting the agent, and every change is reported (the board alert).
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVoice, type VoiceHealth } from '../../../agent/voice/index.js';
import { CLIPS } from '../../../agent/voice/text.js';
import { parseWav } from '../../../agent/voice/wav.js';
import { seedVoicePack } from '../../helpers/voice-pack.js';

const ESPEAK = '/usr/bin/espeak-ng';
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hallq-voice-health-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const seconds = (wav: Buffer) => {
  const p = parseWav(wav);
  return p.samples.length / p.sampleRate;
};
const quiet = () => ({
  warnings: [] as string[],
  warn(_o: unknown, m?: string) {
    this.warnings.push(String(m));
  },
  info() {},
});

// `npm test` installs espeak-ng (scripts/test.mjs); without it these tests fail rather than skip
describe('voice health', () => {
  it('starts chime-only without espeak-ng, then picks espeak-ng up on the next check, without restart', async () => {
    const bin = join(tmp(), 'espeak-ng'); // not there yet: the hall has not installed it
    const log = quiet();
    const voice = createVoice({ cacheDir: tmp(), repeat: 1, chime: false, logger: log, espeak: bin });
    const changes: VoiceHealth[] = [];
    voice.onChange((h) => changes.push(h));

    const first = await voice.check();
    expect(first.mode).toBe('chime');
    expect(first.detail).toContain('apt-get install -y espeak-ng');
    const chimeOnly = await voice.announce({ number: 'A001', counter: '1' });
    expect(seconds(chimeOnly)).toBeLessThan(2.5);

    symlinkSync(ESPEAK, bin); // "apt-get install espeak-ng" while the agent runs
    const second = await voice.check();
    expect(second).toMatchObject({ mode: 'speech', source: 'espeak-ng' });
    // the same call is now spoken, not the cached chime
    const spoken = await voice.announce({ number: 'A001', counter: '1' });
    expect(seconds(spoken)).toBeGreaterThan(3);
    expect(changes.map((c) => c.mode)).toEqual(['chime', 'speech']);
    expect(log.warnings).toHaveLength(1);
  }, 60_000);

  it('uses a recorded clip pack copied into the voice directory, with no espeak-ng at all', async () => {
    // a "recording": clips generated once elsewhere (the run's shared pack), copied over and marked as recorded
    const data = tmp();
    await seedVoicePack(data);
    const source = join(data, 'voice');
    if (!existsSync(join(source, 'clips'))) await createVoice({ cacheDir: source, repeat: 1, chime: false, logger: quiet() }).check();
    const cacheDir = tmp();
    const voice = createVoice({ cacheDir, repeat: 1, chime: false, logger: quiet(), espeak: '/nonexistent/espeak-ng' });
    expect((await voice.check()).mode).toBe('chime');

    mkdirSync(join(cacheDir, 'clips'), { recursive: true });
    cpSync(join(source, 'clips'), join(cacheDir, 'clips'), { recursive: true });
    writeFileSync(join(cacheDir, 'pack.json'), JSON.stringify({ recorded: true, speaker: 'hall staff' }));
    expect(await voice.check()).toMatchObject({ mode: 'speech', source: 'recorded' });
    expect(seconds(await voice.announce({ number: 'B012', counter: '3' }))).toBeGreaterThan(3);
  }, 60_000);

  it('names the missing clips of an incomplete recorded pack and stays on the chime', async () => {
    const cacheDir = tmp();
    mkdirSync(join(cacheDir, 'clips'), { recursive: true });
    writeFileSync(join(cacheDir, 'pack.json'), JSON.stringify({ recorded: true }));
    const log = quiet();
    const voice = createVoice({ cacheDir, repeat: 1, chime: false, logger: log, espeak: '/nonexistent/espeak-ng' });
    const h = await voice.check();
    expect(h.mode).toBe('chime');
    expect(h.detail).toContain(`lacks ${Object.keys(CLIPS).length} clips`);
    expect(h.detail).toContain('clips: 0, 1, 2');
  });
});
