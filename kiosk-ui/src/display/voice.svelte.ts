// Announcement queue of the hall display: every call/recall event fetches the agent's WAV
// (/api/v1/voice/call/<seq>.wav) and plays it after the previous one has ended, so two
// counters calling at once are heard one after the other, never over each other.
// Browsers may block autoplay until someone touches the screen: then `blocked` is set and the
// page shows a "点击启用语音" button; pending calls wait (only the latest few, stale ones are dropped).
import { canSpeak, speak, spellNumber } from '../lib/speech.ts';
import type { CallInfo } from '../lib/types.ts';

const MAX_PENDING = 4;
/** the agent returns ~1.5 s of chime when it has no espeak-ng; then the browser speaks the text */
const CHIME_ONLY_SECONDS = 2.5;

export interface VoiceQueue {
  readonly state: { blocked: boolean; playing: string | null; played: number; lastBytes: number; error: string };
  enqueue(call: CallInfo): void;
  unlock(): void;
}

function wavSeconds(buf: ArrayBuffer): number {
  const v = new DataView(buf);
  if (buf.byteLength < 44) return 0;
  const rate = v.getUint32(24, true);
  const bytesPerSec = v.getUint32(28, true) || rate * 2;
  return (buf.byteLength - 44) / bytesPerSec;
}

export function createVoiceQueue(): VoiceQueue {
  const state = $state({ blocked: false, playing: null as string | null, played: 0, lastBytes: 0, error: '' });
  const pending: CallInfo[] = [];
  let running = false;
  const audio = new Audio();

  function playUntilEnd(url: string, seconds: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(guard);
        audio.onended = audio.onerror = null;
        resolve();
      };
      // a silent or missing audio device may never fire `ended`
      const guard = setTimeout(done, (seconds + 3) * 1000);
      audio.onended = done;
      audio.onerror = done;
      audio.src = url;
      audio.play().catch((err: Error) => {
        clearTimeout(guard);
        reject(err);
      });
    });
  }

  async function announce(call: CallInfo): Promise<void> {
    const res = await fetch(`/api/v1/voice/call/${call.seq}.wav`);
    if (!res.ok) throw new Error(`voice ${res.status}`);
    const buf = await res.arrayBuffer();
    state.lastBytes = buf.byteLength;
    const seconds = wavSeconds(buf);
    const url = URL.createObjectURL(new Blob([buf], { type: 'audio/wav' }));
    try {
      state.playing = call.number;
      await playUntilEnd(url, seconds);
      if (seconds < CHIME_ONLY_SECONDS && canSpeak()) {
        speak(`请 ${spellNumber(call.number)} 号，到 ${call.counter} 号窗口办理`);
      }
    } finally {
      URL.revokeObjectURL(url);
      state.playing = null;
    }
  }

  async function run(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (pending.length && !state.blocked) {
        const call = pending[0]!;
        try {
          await announce(call);
          state.played += 1;
          state.error = '';
          pending.shift();
        } catch (err) {
          if ((err as Error).name === 'NotAllowedError') {
            state.blocked = true; // keep the call; the button resumes
          } else {
            state.error = String((err as Error).message ?? err);
            pending.shift(); // a broken clip must not stall the hall
          }
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    state,
    enqueue(call) {
      if (call.seq === undefined) return;
      pending.push(call);
      while (pending.length > MAX_PENDING) pending.shift();
      void run();
    },
    unlock() {
      state.blocked = false;
      void run();
    },
  };
}
