import type { BearingData, BearingRecording } from './bearingData';

/** One waveform notification per 100 ms of signal: 1,200 samples at 12 kHz. */
export const BLOCK_DURATION_MS = 100;

export interface BlockFeatures {
  /** Root mean square of the block with its mean removed (the AC part an accelerometer reports). */
  rms: number;
  /** Largest absolute deviation from the block mean. */
  peak: number;
  /** Fourth standardised moment (3 for Gaussian noise; impacts from a bearing defect raise it). */
  kurtosis: number;
}

export interface VibrationBlock extends BlockFeatures {
  recordingId: string;
  rpm: number;
  /** A fresh array of `blockSize` samples (the server keeps a reference to what it is given). */
  samples: Float32Array;
}

export function blockFeatures(x: ArrayLike<number>): BlockFeatures {
  const n = x.length;
  if (n === 0) throw new RangeError('a block needs at least one sample');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i]!;
  const mean = sum / n;
  let m2 = 0;
  let m4 = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
    if (Math.abs(d) > peak) peak = Math.abs(d);
  }
  m2 /= n;
  m4 /= n;
  return { rms: Math.sqrt(m2), peak, kurtosis: m2 > 0 ? m4 / (m2 * m2) : 0 };
}

/**
 * Plays one bearing recording as consecutive blocks, looping at its end (a block that crosses the
 * end continues from sample 0). Switching recording starts the new one at its first sample, as when
 * a sensor is moved to another machine; the block size stays the same.
 */
export class VibrationPlayer {
  readonly blockSize: number;
  private current: BearingRecording;
  private position = 0;

  constructor(
    private readonly data: BearingData,
    recordingId: string,
  ) {
    this.blockSize = Math.round((data.sampleRateHz * BLOCK_DURATION_MS) / 1000);
    this.current = this.find(recordingId);
  }

  get recordings(): readonly BearingRecording[] {
    return this.data.recordings;
  }

  get recording(): BearingRecording {
    return this.current;
  }

  select(recordingId: string): void {
    const next = this.find(recordingId);
    if (next === this.current) return;
    this.current = next;
    this.position = 0;
  }

  next(): VibrationBlock {
    const source = this.current.samples;
    const samples = new Float32Array(this.blockSize);
    for (let i = 0; i < this.blockSize; i++) {
      samples[i] = source[this.position]!;
      this.position = this.position + 1 === source.length ? 0 : this.position + 1;
    }
    return { recordingId: this.current.id, rpm: this.current.rpm, samples, ...blockFeatures(samples) };
  }

  private find(id: string): BearingRecording {
    const found = this.data.recordings.find((r) => r.id === id);
    if (!found) {
      throw new RangeError(
        `Unknown bearing recording "${id}"; available: ${this.data.recordings.map((r) => r.id).join(', ')}`,
      );
    }
    return found;
  }
}
