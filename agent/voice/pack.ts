// The voice pack: one short WAV clip per word, generated once with Debian espeak-ng
// (`-v cmn-latn-pinyin`, pinyin with tone numbers) into cacheDir and reused from disk after
// that — a hall that copies a generated pack does not even need espeak-ng installed.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIPS } from './text.js';
import { normalize, type Pcm, parseWav, trimSilence } from './wav.js';

export const VOICE = 'cmn-latn-pinyin';
/** words per minute: slower than espeak's 175 so elderly citizens follow */
const SPEED = '140';

export interface Pack {
  sampleRate: number;
  clips: Map<string, Pcm>;
}

export class EspeakMissing extends Error {}

function run(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 15_000 }, (err) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') reject(new EspeakMissing(`${bin} not found`));
      else reject(err);
    });
  });
}

/** synthesises `text` into `file` (atomically, so a crash never leaves half a clip) */
export async function synth(bin: string, text: string, file: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await run(bin, ['-v', VOICE, '-s', SPEED, '-w', tmp, text]);
  renameSync(tmp, file);
}

const manifestKey = () => createHash('sha256').update(JSON.stringify({ VOICE, SPEED, CLIPS })).digest('hex').slice(0, 16);

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export class RecordedPackIncomplete extends Error {}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readManifest(file: string): { key?: string; recorded?: boolean } {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { key?: string; recorded?: boolean };
  } catch {
    return {}; // missing or half-written: treated as no pack, regenerated when espeak-ng is there
  }
}

/**
 * Loads the pack from cacheDir. A recorded pack (a person's voice, `pack.json` with
 * `"recorded": true`, one WAV per clip name) is used as it is; otherwise missing clips are
 * generated first. Throws EspeakMissing if they cannot be.
 */
export async function loadPack(cacheDir: string, bin: string): Promise<Pack & { source: 'recorded' | 'espeak-ng' }> {
  const dir = join(cacheDir, 'clips');
  mkdirSync(dir, { recursive: true });
  const manifest = join(cacheDir, 'pack.json');
  const key = manifestKey();
  const m = readManifest(manifest);
  const names = Object.keys(CLIPS);
  const file = (n: string) => join(dir, `${n}.wav`);
  if (m.recorded) {
    const absent = names.filter((n) => !existsSync(file(n)));
    if (absent.length) {
      throw new RecordedPackIncomplete(`recorded voice pack in ${dir} lacks ${absent.length} clips: ${absent.slice(0, 8).join(', ')}`);
    }
  } else {
    // clips/key names the vocabulary the clips being generated belong to: an agent stopped halfway (a
    // restart minutes after the first start) resumes with the missing clips instead of all 42 again
    const progress = join(dir, 'key');
    const resumable = m.key === key || readText(progress) === key;
    if (!resumable) {
      rmSync(dir, { recursive: true, force: true }); // clips of another vocabulary must not count as made
      mkdirSync(dir, { recursive: true });
      writeFileSync(progress, key);
    }
    const missing = names.filter((n) => !existsSync(file(n)));
    if (missing.length || m.key !== key) {
      await inBatches(missing, 8, (n) => synth(bin, CLIPS[n]!, file(n)));
      writeFileSync(manifest, JSON.stringify({ key, voice: VOICE, generatedAt: new Date().toISOString() }));
      rmSync(progress, { force: true }); // the manifest speaks for the clips from now on
    }
  }
  const clips = new Map<string, Pcm>();
  for (const n of names) clips.set(n, normalize(trimSilence(parseWav(readFileSync(file(n))))));
  const sampleRate = clips.get('qing')!.sampleRate;
  for (const [n, c] of clips)
    if (c.sampleRate !== sampleRate) throw new Error(`clip ${n}.wav has ${c.sampleRate} Hz, qing.wav ${sampleRate} Hz`);
  return { sampleRate, clips, source: m.recorded ? 'recorded' : 'espeak-ng' };
}

/** the hall's lead-in phrase (Chinese characters or pinyin), cached by its text */
export async function loadPhrase(cacheDir: string, bin: string, text: string): Promise<Pcm> {
  const file = join(cacheDir, `phrase-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.wav`);
  if (!existsSync(file)) await synth(bin, text, file);
  return normalize(trimSilence(parseWav(readFileSync(file))));
}
