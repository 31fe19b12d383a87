// Offline call announcements: "请A023号到3号窗口办理" as one WAV, built by concatenating
// voice-pack clips (pack.ts) with short gaps, optionally after a synthesised chime and a
// lead-in phrase, repeated per hall config. Without espeak-ng (and no generated pack) the
// call is announced by the chime alone and the display page may speak the text itself.
import { callClips } from './text.js';
import { EspeakMissing, loadPack, loadPhrase, type Pack } from './pack.js';
import { chime, concat, type Pcm, silence, writeWav } from './wav.js';

export interface VoiceLogger {
  warn(obj: unknown, msg?: string): void;
  info?(obj: unknown, msg?: string): void;
}

export interface VoiceOptions {
  cacheDir: string;
  repeat: number;
  chime: boolean;
  leadIn?: string;
  logger: VoiceLogger;
  /** espeak-ng binary; tests point it at a missing path */
  espeak?: string;
}

export interface CallAnnouncement {
  number: string;
  counter: string;
  recall?: boolean;
}

export interface Voice {
  announce(call: CallAnnouncement): Promise<Buffer>;
}

const WORD_GAP_MS = 50;
const GROUP_GAP_MS = 160;
const REPEAT_GAP_MS = 800;
const FALLBACK_RATE = 22050;
const MEMO = 64;

export function createVoice(opts: VoiceOptions): Voice {
  const bin = opts.espeak ?? 'espeak-ng';
  const repeat = Math.max(1, Math.min(5, Math.floor(opts.repeat || 1)));
  let pack: Promise<Pack | null> | undefined;
  let leadIn: Promise<Pcm | null> | undefined;
  const memo = new Map<string, Buffer>();

  const getPack = () =>
    (pack ??= loadPack(opts.cacheDir, bin).catch((err) => {
      if (err instanceof EspeakMissing) {
        opts.logger.warn(
          { voice: 'chime-only' },
          'espeak-ng is not installed: calls are announced by a chime only. Install the voice with `apt-get install -y espeak-ng`',
        );
      } else {
        opts.logger.warn({ err }, 'voice pack could not be generated: calls are announced by a chime only');
      }
      return null;
    }));

  const getLeadIn = () =>
    (leadIn ??= opts.leadIn
      ? loadPhrase(opts.cacheDir, bin, opts.leadIn).catch((err) => {
          opts.logger.warn({ err }, 'voice lead-in phrase could not be generated; announcing without it');
          return null;
        })
      : Promise.resolve(null));

  function sentence(p: Pack, call: CallAnnouncement): Pcm {
    const parts: Pcm[] = [];
    for (const name of callClips(call.number, call.counter)) {
      if (name === '|') {
        parts.push(silence(p.sampleRate, GROUP_GAP_MS - WORD_GAP_MS));
        continue;
      }
      const clip = p.clips.get(name);
      if (clip) parts.push(clip, silence(p.sampleRate, WORD_GAP_MS));
    }
    return concat(parts);
  }

  async function build(call: CallAnnouncement): Promise<Buffer> {
    const p = await getPack();
    if (!p) return writeWav(chime(FALLBACK_RATE));
    const lead = await getLeadIn();
    const rate = p.sampleRate;
    const parts: Pcm[] = [silence(rate, 150)];
    if (opts.chime) parts.push(chime(rate));
    const one = sentence(p, call);
    for (let i = 0; i < repeat; i++) {
      if (i > 0) parts.push(silence(rate, REPEAT_GAP_MS));
      if (lead && lead.sampleRate === rate) parts.push(lead, silence(rate, GROUP_GAP_MS));
      parts.push(one);
    }
    parts.push(silence(rate, 300));
    return writeWav(concat(parts));
  }

  return {
    async announce(call) {
      const key = `${call.number}|${call.counter}|${call.recall ? 1 : 0}`;
      const hit = memo.get(key);
      if (hit) return hit;
      const wav = await build(call);
      memo.set(key, wav);
      if (memo.size > MEMO) memo.delete(memo.keys().next().value!);
      return wav;
    },
  };
}
