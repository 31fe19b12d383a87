// Offline call announcements: "请A023号到3号窗口办理" as one WAV, built by concatenating
// voice-pack clips (pack.ts) with short gaps, optionally after a synthesised chime and a
// lead-in phrase, repeated per hall config. Without espeak-ng (and no generated or recorded
// pack) the call is announced by the chime alone; check() (start-up and every few minutes)
// picks the voice up as soon as it is installed, and onChange lets the board raise an alert.
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

/** what the hall hears: spoken calls, or the chime alone (the board raises an alert for that) */
export interface VoiceHealth {
  mode: 'speech' | 'chime';
  source?: 'espeak-ng' | 'recorded';
  checkedAt: number;
  /** why the voice is chime-only, with the fix */
  detail?: string;
}

export interface Voice {
  announce(call: CallAnnouncement): Promise<Buffer>;
  /** re-checks the voice: a chime-only voice picks up espeak-ng or a copied clip pack without a restart */
  check(): Promise<VoiceHealth>;
  health(): VoiceHealth;
  onChange(fn: (h: VoiceHealth) => void): () => void;
}

const WORD_GAP_MS = 50;
const GROUP_GAP_MS = 160;
const REPEAT_GAP_MS = 800;
const FALLBACK_RATE = 22050;
const MEMO = 64;

const INSTALL_HINT = 'apt-get install -y espeak-ng';

export function createVoice(opts: VoiceOptions): Voice {
  const bin = opts.espeak ?? 'espeak-ng';
  const repeat = Math.max(1, Math.min(5, Math.floor(opts.repeat || 1)));
  let pack: (Pack & { source: 'recorded' | 'espeak-ng' }) | null = null;
  let leadIn: Pcm | null = null;
  let loading: Promise<void> | undefined;
  let checked = false;
  let health: VoiceHealth = { mode: 'chime', checkedAt: 0, detail: 'not checked yet' };
  let lastWarned = '';
  const listeners = new Set<(h: VoiceHealth) => void>();
  const memo = new Map<string, Buffer>();

  function setHealth(next: VoiceHealth): void {
    const changed = next.mode !== health.mode || next.source !== health.source || next.detail !== health.detail;
    health = next;
    if (!changed) return;
    memo.clear(); // chime-only WAVs must not outlive the voice coming back (and vice versa)
    for (const fn of listeners) fn(next);
  }

  async function load(): Promise<void> {
    if (pack) {
      setHealth({ mode: 'speech', source: pack.source, checkedAt: Date.now() });
      return;
    }
    try {
      pack = await loadPack(opts.cacheDir, bin);
    } catch (err) {
      const detail =
        err instanceof EspeakMissing
          ? `espeak-ng is not installed and no recorded clip pack is in ${opts.cacheDir}: calls are announced by a chime only. Install the voice with \`${INSTALL_HINT}\` (picked up within minutes, no restart)`
          : `voice pack could not be loaded (${(err as Error).message}): calls are announced by a chime only`;
      if (detail !== lastWarned) opts.logger.warn({ voice: 'chime-only' }, detail);
      lastWarned = detail;
      setHealth({ mode: 'chime', checkedAt: Date.now(), detail });
      return;
    }
    if (opts.leadIn) {
      try {
        leadIn = await loadPhrase(opts.cacheDir, bin, opts.leadIn);
      } catch (err) {
        opts.logger.warn({ err }, 'voice lead-in phrase could not be generated; announcing without it');
      }
    }
    if (lastWarned) opts.logger.info?.({ voice: pack.source }, 'voice is back: calls are spoken again');
    lastWarned = '';
    setHealth({ mode: 'speech', source: pack.source, checkedAt: Date.now() });
  }

  function check(): Promise<VoiceHealth> {
    loading ??= load().finally(() => {
      loading = undefined;
      checked = true;
    });
    return loading.then(() => health);
  }

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
    if (!checked || loading) await check();
    const p = pack;
    if (!p) return writeWav(chime(FALLBACK_RATE));
    const lead = leadIn;
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
    check,
    health: () => health,
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
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
