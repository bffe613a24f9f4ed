/**
 * Small numeric helpers shared by the detectors. No allocation per call.
 */

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error
 * below 1.15e-9; P. J. Acklam, "An algorithm for computing the inverse normal cumulative
 * distribution function", 2003).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const a1 = -39.69683028665376;
  const a2 = 220.9460984245205;
  const a3 = -275.9285104469687;
  const a4 = 138.357751867269;
  const a5 = -30.66479806614716;
  const a6 = 2.506628277459239;
  const b1 = -54.47609879822406;
  const b2 = 161.5858368580409;
  const b3 = -155.6989798598866;
  const b4 = 66.80131188771972;
  const b5 = -13.28068155288572;
  const c1 = -0.007784894002430293;
  const c2 = -0.3223964580411365;
  const c3 = -2.400758277161838;
  const c4 = -2.549732539343734;
  const c5 = 4.374664141464968;
  const c6 = 2.938163982698783;
  const d1 = 0.007784695709041462;
  const d2 = 0.3224671290700398;
  const d3 = 2.445134137142996;
  const d4 = 3.754408661907416;
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) /
      ((((d1 * q + d2) * q + d3) * q + d4) * q + 1)
    );
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) /
      ((((d1 * q + d2) * q + d3) * q + d4) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a1 * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * q) /
    (((((b1 * r + b2) * r + b3) * r + b4) * r + b5) * r + 1)
  );
}

/** Upper-tail quantile of the chi-square distribution with one degree of freedom: P(X > x) = tail. */
export function chiSquare1UpperQuantile(tail: number): number {
  const z = normalQuantile(1 - tail / 2);
  return z * z;
}

export function clamp(x: number, low: number, high: number): number {
  return x < low ? low : x > high ? high : x;
}

/** Grows a typed array to `capacity` elements, keeping its contents. */
export function growFloat64(
  a: Float64Array<ArrayBuffer>,
  capacity: number,
  fill = 0,
): Float64Array<ArrayBuffer> {
  if (a.length >= capacity) return a;
  const next = new Float64Array(capacity);
  if (fill !== 0) next.fill(fill);
  next.set(a);
  return next;
}

export function growFloat32(a: Float32Array<ArrayBuffer>, capacity: number): Float32Array<ArrayBuffer> {
  if (a.length >= capacity) return a;
  const next = new Float32Array(capacity);
  next.set(a);
  return next;
}

export function growUint32(a: Uint32Array<ArrayBuffer>, capacity: number): Uint32Array<ArrayBuffer> {
  if (a.length >= capacity) return a;
  const next = new Uint32Array(capacity);
  next.set(a);
  return next;
}

export function growInt32(a: Int32Array<ArrayBuffer>, capacity: number, fill = 0): Int32Array<ArrayBuffer> {
  if (a.length >= capacity) return a;
  const next = new Int32Array(capacity);
  if (fill !== 0) next.fill(fill);
  next.set(a);
  return next;
}

/**
 * Upper-tail quantile of the chi-square distribution with k degrees of freedom, by the
 * Wilson-Hilferty cube-root approximation (accurate to about 1% for k >= 2 in the tail).
 */
export function chiSquareUpperQuantile(tail: number, k: number): number {
  if (k === 1) return chiSquare1UpperQuantile(tail);
  const z = normalQuantile(1 - tail);
  const a = 2 / (9 * k);
  const c = 1 - a + z * Math.sqrt(a);
  return k * c * c * c;
}
