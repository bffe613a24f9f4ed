export interface Range {
  low: number;
  high: number;
}

/**
 * EURange for played-back values (one or more series of the same signal): their min/max widened by 10% of the span on each side and
 * rounded outward to a step of that margin's order of magnitude, so a bar graph scaled to it has
 * headroom and readable limits, without crossing zero where the data does not. A constant signal gets +-5% of its magnitude (at least +-1), since
 * OPC UA asks for low < high.
 */
export function euRangeOf(...series: ArrayLike<number>[]): Range {
  let min = Infinity;
  let max = -Infinity;
  for (const values of series) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!Number.isFinite(min) || !Number.isFinite(max))
    throw new Error('EURange needs at least one finite value');
  const span = max - min;
  const margin = span > 0 ? span * 0.1 : Math.max(Math.abs(max) * 0.05, 1);
  const step = 10 ** Math.floor(Math.log10(margin));
  // The 1e-9 keeps binary noise (-11.999999999999996 steps) from moving a limit by a whole step.
  let low = roundTo(Math.floor((min - margin) / step + 1e-9) * step, step);
  let high = roundTo(Math.ceil((max + margin) / step - 1e-9) * step, step);
  // The margin never crosses zero: a torque or a tool wear that is never negative gets low = 0.
  if (min >= 0 && low < 0) low = 0;
  if (max < 0 && high > 0) high = 0;
  return { low: low + 0, high: high + 0 }; // + 0 turns -0 into 0
}

/** Removes binary noise (640.8000000001) from a multiple of a power of ten. */
function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return Number(value.toFixed(Math.min(decimals, 15)));
}
