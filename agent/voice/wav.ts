// Minimal PCM WAV handling: parse 16-bit mono clips (what espeak-ng writes), trim their
// silence, join with gaps, write one WAV. No dependency: the hall PC is offline.

export interface Pcm {
  sampleRate: number;
  samples: Int16Array;
}

export function parseWav(buf: Buffer): Pcm {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let off = 12;
  let sampleRate = 0;
  let channels = 1;
  let bits = 16;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    let size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
    } else if (id === 'data') {
      // espeak-ng writing to a pipe leaves a placeholder size; trust the file length then
      if (body + size > buf.length) size = buf.length - body;
      if (bits !== 16) throw new Error(`unsupported WAV: ${bits}-bit`);
      const frames = Math.floor(size / 2 / channels);
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(body + i * 2 * channels); // first channel
      return { sampleRate, samples };
    }
    off = body + size + (size & 1);
  }
  throw new Error('WAV without data chunk');
}

export function writeWav(pcm: Pcm): Buffer {
  const data = pcm.samples.length * 2;
  const buf = Buffer.alloc(44 + data);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + data, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(pcm.sampleRate, 24);
  buf.writeUInt32LE(pcm.sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(data, 40);
  for (let i = 0; i < pcm.samples.length; i++) buf.writeInt16LE(pcm.samples[i]!, 44 + i * 2);
  return buf;
}

/** drops leading/trailing near-silence so the gaps between words are ours, not espeak's */
export function trimSilence(pcm: Pcm, threshold = 300): Pcm {
  const s = pcm.samples;
  let a = 0;
  let b = s.length;
  while (a < b && Math.abs(s[a]!) < threshold) a++;
  while (b > a && Math.abs(s[b - 1]!) < threshold) b--;
  const pad = Math.round(pcm.sampleRate * 0.01); // keep 10 ms so onsets are not clipped
  return { sampleRate: pcm.sampleRate, samples: s.slice(Math.max(0, a - pad), Math.min(s.length, b + pad)) };
}

/** scales a clip to a common peak so no word is louder than the next (espeak peaks vary a lot) */
export function normalize(pcm: Pcm, peak = 0.7): Pcm {
  let max = 1;
  for (const v of pcm.samples) max = Math.max(max, Math.abs(v));
  const k = (peak * 32767) / max;
  return { sampleRate: pcm.sampleRate, samples: pcm.samples.map((v) => Math.round(v * k)) };
}

export function silence(sampleRate: number, ms: number): Pcm {
  return { sampleRate, samples: new Int16Array(Math.round((sampleRate * ms) / 1000)) };
}

export function concat(parts: Pcm[]): Pcm {
  const sampleRate = parts[0]?.sampleRate ?? 22050;
  for (const p of parts) if (p.sampleRate !== sampleRate) throw new Error(`clip sample rate ${p.sampleRate} ≠ ${sampleRate}`);
  const out = new Int16Array(parts.reduce((n, p) => n + p.samples.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p.samples, off);
    off += p.samples.length;
  }
  return { sampleRate, samples: out };
}

/**
 * Two-tone "ding-dong" hall chime, synthesised: sine partials with an exponential decay,
 * so no audio asset has to ship.
 */
export function chime(sampleRate: number): Pcm {
  const notes: [number, number][] = [
    [659.25, 0.42], // E5
    [523.25, 0.6], // C5
  ];
  const parts: Pcm[] = notes.map(([f, dur]) => {
    const n = Math.round(sampleRate * dur);
    const s = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / sampleRate;
      const env = Math.min(1, t / 0.005) * Math.exp(-t * 4.5);
      const v = Math.sin(2 * Math.PI * f * t) + 0.35 * Math.sin(4 * Math.PI * f * t) + 0.12 * Math.sin(6 * Math.PI * f * t);
      s[i] = Math.round((v * env * 0.45 * 32767) / 1.47);
    }
    return { sampleRate, samples: s };
  });
  return concat([parts[0]!, parts[1]!, silence(sampleRate, 250)]);
}
