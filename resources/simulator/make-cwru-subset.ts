/**
 * Rebuilds the simulator's bearing-vibration recordings from the CWRU development copy:
 *
 *   npx tsx resources/simulator/make-cwru-subset.ts [DATASETS_DIR]
 *
 * DATASETS_DIR defaults to ../shared/datasets beside the project root. Writes cwru/*.f32 (raw float32
 * little-endian, 12 kHz) and cwru/manifest.json next to this script. The fault recordings are copied
 * sample for sample (the first SECONDS seconds of each file). The normal baseline is 48 kHz data (see
 * README.md, "Why the normal baseline is decimated"), so it is low-pass filtered and decimated 4:1 to
 * 12 kHz here, so that every recording the simulator plays has the same sample rate.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const datasetsDir = resolve(process.argv[2] ?? join(here, '..', '..', '..', 'shared', 'datasets'));
const cwruDir = join(datasetsDir, 'cwru');
const outDir = join(here, 'cwru');

const SAMPLE_RATE_HZ = 12_000;
const SECONDS = 3;
const SAMPLES = SAMPLE_RATE_HZ * SECONDS;

interface SourceEntry {
  file: string;
  cwru_file_no: number;
  variable: string;
  label: string;
  fault_diameter_in: number | null;
  load_hp: number;
  rpm: number;
  n_samples: number;
  fs_hz: number | null;
}

/** What the simulator plays, in the order the CLI lists them. */
const RECORDINGS = [
  { id: 'normal', source: 'de_f32/Normal_0.f32', sourceRateHz: 48_000, description: 'Normal baseline' },
  {
    id: 'inner-race',
    source: 'de_f32/12k_DE_IR007_0.f32',
    sourceRateHz: 12_000,
    description: 'Inner-race fault, 0.007 in diameter',
  },
  {
    id: 'outer-race',
    source: 'de_f32/12k_DE_OR007@6_0.f32',
    sourceRateHz: 12_000,
    description: 'Outer-race fault, 0.007 in diameter, at 6 o’clock (centred in the load zone)',
  },
  {
    id: 'ball',
    source: 'de_f32/12k_DE_B007_0.f32',
    sourceRateHz: 12_000,
    description: 'Ball (rolling element) fault, 0.007 in diameter',
  },
] as const;

function readF32(path: string): Float32Array {
  const buf = readFileSync(path);
  if (buf.length % 4 !== 0) throw new Error(`${path}: ${buf.length} bytes is not a whole number of float32`);
  const copy = new Uint8Array(buf); // aligned copy
  return new Float32Array(copy.buffer, 0, buf.length / 4);
}

/** Windowed-sinc low-pass FIR (Blackman window), unity gain at DC. */
function lowPass(taps: number, cutoffHz: number, rateHz: number): Float64Array {
  const h = new Float64Array(taps);
  const m = taps - 1;
  const fc = cutoffHz / rateHz;
  let sum = 0;
  for (let n = 0; n < taps; n++) {
    const x = n - m / 2;
    const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * n) / m) + 0.08 * Math.cos((4 * Math.PI * n) / m);
    h[n] = sinc * w;
    sum += h[n]!;
  }
  for (let n = 0; n < taps; n++) h[n]! /= sum;
  return h;
}

/**
 * 48 kHz -> 12 kHz: a 255-tap low-pass at 5 kHz (below the 6 kHz Nyquist of the output; the 12 kHz
 * fault recordings hold almost nothing above 5 kHz either), then every 4th sample. Output sample k is
 * centred on input sample `start + 4k`, so the filter always sees real data on both sides.
 */
function decimateBy4(x: Float32Array, count: number): Float32Array {
  const taps = 255;
  const h = lowPass(taps, 5_000, 48_000);
  const half = (taps - 1) / 2;
  const y = new Float32Array(count);
  if (half + 4 * (count - 1) + half >= x.length) throw new Error('normal baseline too short to decimate');
  for (let k = 0; k < count; k++) {
    const centre = half + 4 * k;
    let acc = 0;
    for (let t = 0; t < taps; t++) acc += h[t]! * x[centre - half + t]!;
    y[k] = acc;
  }
  return y;
}

function stats(x: Float32Array) {
  let sum = 0;
  let sq = 0;
  for (const v of x) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / x.length;
  return { mean: Number(mean.toFixed(6)), rms: Number(Math.sqrt(sq / x.length).toFixed(6)) };
}

const sourceManifest = JSON.parse(readFileSync(join(cwruDir, 'manifest.json'), 'utf8')) as {
  files: SourceEntry[];
};
mkdirSync(outDir, { recursive: true });
const recordings = RECORDINGS.map((r) => {
  const entry = sourceManifest.files.find((f) => f.file === r.source);
  if (!entry) throw new Error(`${r.source} is not in ${cwruDir}/manifest.json`);
  if (entry.fs_hz !== null && entry.fs_hz !== r.sourceRateHz) {
    throw new Error(`${r.source}: manifest says ${entry.fs_hz} Hz, expected ${r.sourceRateHz}`);
  }
  const sourceBytes = readFileSync(join(cwruDir, r.source));
  const source = readF32(join(cwruDir, r.source));
  if (source.length !== entry.n_samples) {
    throw new Error(`${r.source}: ${source.length} samples, manifest says ${entry.n_samples}`);
  }
  const samples = r.sourceRateHz === 48_000 ? decimateBy4(source, SAMPLES) : source.slice(0, SAMPLES);
  if (samples.length !== SAMPLES) throw new Error(`${r.source}: only ${samples.length} samples`);
  const file = `${r.id}.f32`;
  const out = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  writeFileSync(join(outDir, file), out);
  const s = stats(samples);
  console.log(`${file}: ${samples.length} samples from ${r.source}, rms ${s.rms}`);
  return {
    id: r.id,
    label: entry.label,
    description: r.description,
    file,
    samples: samples.length,
    rpm: entry.rpm,
    loadHp: entry.load_hp,
    faultDiameterIn: entry.fault_diameter_in,
    ...s,
    sha256: createHash('sha256').update(out).digest('hex'),
    source: {
      cwruFileNo: entry.cwru_file_no,
      variable: entry.variable,
      file: r.source,
      sha256: createHash('sha256').update(sourceBytes).digest('hex'),
      sampleRateHz: r.sourceRateHz,
      processing:
        r.sourceRateHz === 48_000
          ? 'low-pass 5 kHz (255-tap Blackman windowed sinc), decimated 4:1 to 12 kHz; first 3 s'
          : 'first 3 s, samples unchanged',
    },
  };
});

const manifest = {
  dataset: 'Case Western Reserve University Bearing Data Center, drive-end accelerometer, 0 hp load',
  sampleRateHz: SAMPLE_RATE_HZ,
  unit: 'g',
  format: 'float32 little-endian, one channel',
  recordings,
};
writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${recordings.length} recordings to ${outDir}`);
