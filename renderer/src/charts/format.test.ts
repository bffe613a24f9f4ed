import { describe, expect, it } from 'vitest';
import { STATUS_BAD, STATUS_UNCERTAIN } from '../../../shared/quality';
import {
  describeResolution,
  formatDuration,
  formatTick,
  formatValue,
  formatWithUnit,
  latestLabel,
} from './format';
import { chartRedrawIntervalMs, windowEnd } from './timeWindow';

describe('value labels', () => {
  it('keeps six significant digits so small drifts stay visible', () => {
    expect(formatValue(2388.06, 'en-US')).toBe('2388.06');
    expect(formatValue(2388.0812, 'en-US')).toBe('2388.08');
    expect(formatValue(0.023456789, 'en-US')).toBe('0.0234568');
    expect(formatValue(8.4195, 'en-US')).toBe('8.4195');
    expect(formatValue(NaN, 'en-US')).toBe('—');
  });

  it('adds the unit when there is one and a value', () => {
    expect(formatWithUnit(2388.06, 'rpm', 'en-US')).toBe('2388.06 rpm');
    expect(formatWithUnit(1.3, '', 'en-US')).toBe('1.3');
    expect(formatWithUnit(Infinity, 'rpm', 'en-US')).toBe('—');
  });

  it('says when the newest sample is not Good, and never calls a steady value stale', () => {
    expect(latestLabel(null, 'rpm')).toEqual({ value: '', severity: 'none', note: 'no data' });
    expect(latestLabel({ v: 2388, q: 0 }, 'rpm', 'en-US')).toEqual({
      value: '2388 rpm',
      severity: 'good',
      note: '',
    });
    expect(latestLabel({ v: 1, q: STATUS_BAD }, '', 'en-US')).toMatchObject({ severity: 'bad', note: 'BAD' });
    expect(latestLabel({ v: 1, q: STATUS_UNCERTAIN }, '', 'en-US')).toMatchObject({
      severity: 'uncertain',
      note: 'UNCERTAIN',
    });
  });
});

describe('windowEnd', () => {
  const W = 300_000;
  it('follows the wall clock while data is recent, so a stalled tag visibly falls behind', () => {
    expect(windowEnd(1_000_000, 990_000, W)).toBe(1_000_000);
    expect(windowEnd(1_000_000, NaN, W)).toBe(1_000_000);
  });
  it('follows the data when it lies outside the window (replayed history, clock skew)', () => {
    expect(windowEnd(1_000_000, 500_000, W)).toBe(500_000);
    expect(windowEnd(1_000_000, 1_002_000, W)).toBe(1_002_000);
  });
});

describe('chartRedrawIntervalMs', () => {
  it('redraws once per pixel of time, never faster than every 100 ms', () => {
    expect(chartRedrawIntervalMs(300_000, 500)).toBe(600);
    expect(chartRedrawIntervalMs(60_000, 1200)).toBe(100);
    expect(chartRedrawIntervalMs(300_000, 0)).toBe(300_000);
  });
});

describe('time axis labels', () => {
  const at = new Date(2026, 2, 12, 14, 5, 30).getTime(); // local time, as the axis shows it
  const midnight = new Date(2026, 2, 12).getTime();
  it('say as much as the tick spacing needs: seconds, minutes, days, months', () => {
    expect(formatTick(at, 10_000, 'en-US')).toBe('14:05:30');
    expect(formatTick(at, 5 * 60_000, 'en-US')).toBe('14:05');
    expect(formatTick(at, 86_400_000, 'en-US')).toBe('Mar 12');
    expect(formatTick(at, 31 * 86_400_000, 'en-US')).toBe('Mar 2026');
  });
  it('show the date at midnight on an hourly axis, so the day boundary is visible', () => {
    expect(formatTick(midnight, 6 * 3_600_000, 'en-US')).toBe('Mar 12');
    expect(formatTick(midnight, 10 * 60_000, 'en-US')).toBe('00:00');
  });
});

describe('durations', () => {
  it('use the largest unit that fits', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(1800)).toBe('1.8 s');
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(15_768_000)).toBe('4.4 h');
    expect(formatDuration(12 * 86_400_000)).toBe('12 d');
    expect(formatDuration(-1)).toBe('—');
  });
  it('name where a history answer came from', () => {
    expect(describeResolution(0)).toBe('raw samples');
    expect(describeResolution(3_600_000)).toBe('1 h rollups');
  });
});
