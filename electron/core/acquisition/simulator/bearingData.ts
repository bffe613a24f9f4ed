import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Folder (inside the simulator resources) with the CWRU bearing recordings and their manifest. */
export const BEARING_DIR = 'cwru';
export const BEARING_MANIFEST = 'manifest.json';

const ManifestSchema = z.object({
  sampleRateHz: z.number().positive(),
  unit: z.string(),
  recordings: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9-]+$/),
        label: z.string(),
        description: z.string(),
        file: z.string().regex(/^[\w.@-]+\.f32$/),
        samples: z.number().int().positive(),
        rpm: z.number().positive(),
        faultDiameterIn: z.number().positive().nullable(),
        source: z.object({ cwruFileNo: z.number().int() }),
      }),
    )
    .min(1),
});

export interface BearingRecording {
  /** e.g. "normal", "inner-race", "outer-race", "ball". */
  id: string;
  /** CWRU class label: N, IR, OR, B. */
  label: string;
  description: string;
  /** Shaft speed during the recording. */
  rpm: number;
  faultDiameterIn: number | null;
  cwruFileNo: number;
  samples: Float32Array;
}

export interface BearingData {
  sampleRateHz: number;
  /** Engineering unit of the samples as the manifest states it ("g"). */
  unit: string;
  recordings: BearingRecording[];
}

/**
 * Reads the bearing recordings (raw float32 little-endian files listed by manifest.json) from
 * `<simulatorDir>/cwru`. A file whose size does not match the manifest or that holds a value that is
 * not finite is an error naming it: a truncated recording would play as a fault that is not there.
 */
export function loadBearingData(simulatorDir: string): BearingData {
  const dir = join(simulatorDir, BEARING_DIR);
  const manifestPath = join(dir, BEARING_MANIFEST);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read bearing recordings manifest ${manifestPath}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${manifestPath}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const manifest = parsed.data;
  const ids = new Set<string>();
  const recordings = manifest.recordings.map((r): BearingRecording => {
    if (ids.has(r.id)) throw new Error(`${manifestPath}: recording "${r.id}" is listed twice`);
    ids.add(r.id);
    const path = join(dir, r.file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new Error(`Cannot read bearing recording ${path}: ${(err as Error).message}`, { cause: err });
    }
    if (bytes.length !== r.samples * 4) {
      throw new Error(
        `${path}: ${bytes.length} bytes, expected ${r.samples * 4} (${r.samples} float32 samples)`,
      );
    }
    // Copy into an aligned buffer; little-endian as written by make-cwru-subset.ts.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const samples = new Float32Array(r.samples);
    for (let i = 0; i < r.samples; i++) {
      const v = view.getFloat32(i * 4, true);
      if (!Number.isFinite(v)) throw new Error(`${path}: sample ${i} is not a finite number`);
      samples[i] = v;
    }
    return {
      id: r.id,
      label: r.label,
      description: r.description,
      rpm: r.rpm,
      faultDiameterIn: r.faultDiameterIn,
      cwruFileNo: r.source.cwruFileNo,
      samples,
    };
  });
  return { sampleRateHz: manifest.sampleRateHz, unit: manifest.unit, recordings };
}
