// Announcement queue of the hall display: every call/recall event fetches the agent's WAV
// (/api/v1/voice/call/<seq>.wav) and plays it after the previous one has ended, so two
// counters calling at once are heard one after the other, never over each other.
// Calls are spoken in the order they were made (event seq), each once: a call that reaches the
// queue twice (live and again in a resync replay or a snapshot) is not repeated, and the last
// seq heard is kept in localStorage so a reload announces only what was not heard yet.
// Browsers may block autoplay until someone touches the screen (a hall PC avoids that by
// starting Chromium with --autoplay-policy=no-user-gesture-required): then `blocked` is set and
// the page shows a "点击启用语音" button; pending calls wait (only the latest few).
import { canSpeak, speak, spellNumber } from '../lib/speech.ts';
import type { CallInfo } from '../lib/types.ts';

const MAX_PENDING = 4;
/** the agent returns ~1.5 s of chime when it has no espeak-ng; then the browser speaks the text */
const CHIME_ONLY_SECONDS = 2.5;

export interface VoiceQueue {
  readonly state: {
    blocked: boolean;
    playing: string | null;
    /** the call being announced: the screen shows it as the latest call meanwhile */
    current: CallInfo | null;
    played: number;
    /** numbers in the order they were played, for the hall's log and the tests */
    order: string[];
    lastBytes: number;
    error: string;
    /** calls waiting to be announced, the one playing included: 0 = the queue is idle */
    pending: number;
  };
  /** highest seq announced (or deliberately skipped); undefined on a display never used before */
  heardSeq(): number | undefined;
  /** a display's first start: what is already on screen counts as heard */
  markHeard(seq: number): void;
  enqueue(call: CallInfo): void;
  unlock(): void;
}

const HEARD_KEY = 'hallq.display.heardSeq';

function readHeard(): number | undefined {
  try {
    const v = Number(localStorage.getItem(HEARD_KEY));
    return localStorage.getItem(HEARD_KEY) !== null && Number.isInteger(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function wavSeconds(buf: ArrayBuffer): number {
  const v = new DataView(buf);
  if (buf.byteLength < 44) return 0;
  const rate = v.getUint32(24, true);
  const bytesPerSec = v.getUint32(28, true) || rate * 2;
  return (buf.byteLength - 44) / bytesPerSec;
}

export function createVoiceQueue(): VoiceQueue {
  const state = $state({
    blocked: false,
    playing: null as string | null,
    current: null as CallInfo | null,
    played: 0,
    order: [] as string[],
    lastBytes: 0,
    error: '',
    pending: 0,
  });
  const pending: CallInfo[] = [];
  let running = false;
  let heard = readHeard();
  const queued = new Set<number>();

  function markHeard(seq: number): void {
    if (heard !== undefined && seq <= heard) return;
    heard = seq;
    try {
      localStorage.setItem(HEARD_KEY, String(seq));
    } catch {
      /* private mode: a reload may repeat a call, never lose one */
    }
  }
  const audio = new Audio();

  function playUntilEnd(url: string, seconds: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(guard);
        audio.onended = audio.onerror = null;
        resolve();
      };
      // a silent or missing audio device may never fire `ended`; a busy PC plays slower than real time
      const guard = setTimeout(done, (seconds * 1.5 + 5) * 1000);
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
      state.current = call;
      state.order.push(call.number);
      await playUntilEnd(url, seconds);
      if (seconds < CHIME_ONLY_SECONDS && canSpeak()) {
        speak(`请 ${spellNumber(call.number)} 号，到 ${call.counter} 号窗口办理`);
      }
    } finally {
      URL.revokeObjectURL(url);
      state.playing = null;
      state.current = null;
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
          state.pending = pending.length;
          markHeard(call.seq!);
        } catch (err) {
          if ((err as Error).name === 'NotAllowedError') {
            state.blocked = true; // keep the call; the button resumes
          } else {
            state.error = String((err as Error).message ?? err);
            pending.shift(); // a broken clip must not stall the hall
            state.pending = pending.length;
            markHeard(call.seq!);
          }
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    state,
    heardSeq: () => heard,
    markHeard,
    enqueue(call) {
      const seq = call.seq;
      if (seq === undefined || queued.has(seq) || (heard !== undefined && seq <= heard)) return;
      queued.add(seq);
      // replays and snapshots may deliver out of order: keep seq order behind the one playing
      const at = pending.findIndex((p, i) => (i > 0 || !running) && p.seq! > seq);
      if (at < 0) pending.push(call);
      else pending.splice(at, 0, call);
      while (pending.length > MAX_PENDING) {
        const dropped = running ? pending.splice(1, 1)[0] : pending.shift();
        if (dropped?.seq !== undefined) markHeard(dropped.seq);
      }
      state.pending = pending.length;
      void run();
    },
    unlock() {
      state.blocked = false;
      void run();
    },
  };
}
