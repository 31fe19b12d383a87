import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVoice } from '../../../agent/voice/index.js';
import { loadPack } from '../../../agent/voice/pack.js';
import { CLIPS, callClips, counterWords } from '../../../agent/voice/text.js';
import { chime, parseWav, writeWav } from '../../../agent/voice/wav.js';
import { seedVoicePack } from '../../helpers/voice-pack.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hallq-voice-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function logger() {
  const warnings: string[] = [];
  return { warnings, warn: (_o: unknown, msg?: string) => void warnings.push(String(msg)) };
}

const seconds = (wav: Buffer) => {
  const p = parseWav(wav);
  return p.samples.length / p.sampleRate;
};

describe('call text', () => {
  it('reads the ticket number digit by digit, letters as letters, and names the counter', () => {
    expect(callClips('A023', '3')).toEqual([
      'qing',
      '|',
      'letter-A',
      '0',
      '2',
      '3',
      'hao',
      '|',
      'dao',
      '3',
      'hao',
      'chuangkou',
      '|',
      'banli',
    ]);
  });
  it('says counter numbers the way people do', () => {
    expect(counterWords('10')).toEqual(['10']);
    expect(counterWords('12')).toEqual(['10', '2']);
    expect(counterWords('20')).toEqual(['2', '10']);
    expect(counterWords('35')).toEqual(['3', '10', '5']);
  });
});

describe('wav', () => {
  it('round-trips PCM and synthesises a non-silent chime', () => {
    const c = chime(22050);
    const back = parseWav(writeWav(c));
    expect(back.sampleRate).toBe(22050);
    expect(back.samples).toEqual(c.samples);
    expect(Math.max(...c.samples)).toBeGreaterThan(8000);
  });
});

describe('announcements with espeak-ng (npm test installs it)', () => {
  it('builds one WAV from the generated voice pack and caches the pack on disk', async () => {
    const dir = tmp();
    const log = logger();
    const voice = createVoice({ cacheDir: dir, repeat: 1, chime: true, logger: log });
    const wav = await voice.announce({ number: 'A023', counter: '3' });
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(seconds(wav)).toBeGreaterThan(4); // chime + 11 spoken words
    expect(existsSync(join(dir, 'clips', 'qing.wav'))).toBe(true);
    expect(existsSync(join(dir, 'clips', 'letter-A.wav'))).toBe(true);
    expect(log.warnings).toEqual([]);

    // a second voice over the same cache reuses the pack, even with espeak-ng gone
    const offline = createVoice({ cacheDir: dir, repeat: 1, chime: true, logger: log, espeak: '/nonexistent/espeak-ng' });
    const again = await offline.announce({ number: 'A023', counter: '3' });
    expect(again.equals(wav)).toBe(true);
  });

  it('repeats the sentence and adds the lead-in phrase per config', async () => {
    // the pack generated once for the run (generation itself is the test above)
    const data = tmp();
    await seedVoicePack(data);
    const dir = join(data, 'voice');
    const one = await createVoice({ cacheDir: dir, repeat: 1, chime: false, logger: logger() }).announce({ number: 'B105', counter: '12' });
    const two = await createVoice({ cacheDir: dir, repeat: 2, chime: false, logger: logger() }).announce({ number: 'B105', counter: '12' });
    const lead = await createVoice({ cacheDir: dir, repeat: 1, chime: false, leadIn: '请注意', logger: logger() }).announce({
      number: 'B105',
      counter: '12',
    });
    expect(seconds(two)).toBeGreaterThan(seconds(one) * 1.8);
    expect(seconds(lead)).toBeGreaterThan(seconds(one) + 0.5);
  });
});

describe('without espeak-ng', () => {
  it('announces by chime only and warns once, naming the apt-get command', async () => {
    const log = logger();
    const voice = createVoice({ cacheDir: tmp(), repeat: 1, chime: false, logger: log, espeak: '/nonexistent/espeak-ng' });
    const a = await voice.announce({ number: 'A001', counter: '1' });
    await voice.announce({ number: 'A002', counter: '2' });
    expect(a.toString('ascii', 8, 12)).toBe('WAVE');
    expect(seconds(a)).toBeGreaterThan(0.5);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain('apt-get install -y espeak-ng');
  });
});

describe('voice pack generation', () => {
  // a stand-in for espeak-ng that logs what it is asked to say and writes a chime as the clip; it
  // refuses single letters while FAIL_LETTERS is set, as an agent stopped halfway through would
  function fakeEspeak(dir: string): { bin: string; said: () => string[] } {
    const wav = join(dir, 'any.wav');
    writeFileSync(wav, writeWav(chime(22050)));
    const log = join(dir, 'said.log');
    const bin = join(dir, 'espeak-ng');
    writeFileSync(
      bin,
      `#!/bin/sh\nfor a; do out="$prev"; prev="$a"; [ "$w" = 1 ] && tmp="$a"; [ "$a" = -w ] && w=1 || w=0; done\n` +
        `case "$prev" in [A-Z]) [ -f ${dir}/fail ] && exit 1;; esac\necho "$prev" >> ${log}\ncp ${wav} "$tmp"\n`,
    );
    chmodSync(bin, 0o755);
    return { bin, said: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
  }

  it('resumes a generation stopped halfway with the missing clips only, and starts over for a new vocabulary', async () => {
    const dir = tmp();
    const espeak = fakeEspeak(dir);
    const cache = join(dir, 'voice');
    writeFileSync(join(dir, 'fail'), '');
    await expect(loadPack(cache, espeak.bin)).rejects.toThrow();
    const firstRun = espeak.said();
    expect(firstRun.length).toBeGreaterThan(0);
    expect(existsSync(join(cache, 'pack.json'))).toBe(false);

    unlinkSync(join(dir, 'fail'));
    const pack = await loadPack(cache, espeak.bin);
    expect(pack.clips.size).toBe(Object.keys(CLIPS).length);
    const secondRun = espeak.said().slice(firstRun.length);
    // every clip said once over both runs: none of the first run's clips was made again
    expect([...firstRun, ...secondRun].sort()).toEqual(Object.values(CLIPS).sort());

    // a pack made for another vocabulary (an upgrade changed the clips): every clip is made again
    writeFileSync(join(cache, 'pack.json'), JSON.stringify({ key: 'another-vocabulary' }));
    await loadPack(cache, espeak.bin);
    const thirdRun = espeak.said().slice(firstRun.length + secondRun.length);
    expect(thirdRun.sort()).toEqual(Object.values(CLIPS).sort());
  });
});
