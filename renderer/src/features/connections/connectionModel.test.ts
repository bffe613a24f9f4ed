import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatSpan,
  gapRecovery,
  isQuiet,
  listKeyAction,
  listSummary,
  problemCount,
  sortConnections,
  sortGaps,
  stateText,
  subscriptionSummary,
  waitsForCertificate,
  connectionsUsing,
  connectionWhy,
} from './connectionModel';
import { T0, certificate, details, gap } from './testFixtures';

describe('what counts as a problem', () => {
  it('counts connections that are not connected and certificates waiting for review', () => {
    const connections = [
      details('a').status,
      details('b', { status: { state: 'failed' } }).status,
      details('c', { status: { state: 'reconnecting' } }).status,
      details('d', { status: { state: 'connecting' } }).status,
    ];
    const certs = [
      certificate('1'),
      certificate('2', { state: 'trusted' }),
      certificate('3', { state: 'rejected' }),
    ];
    expect(problemCount(connections, certs)).toEqual({ connections: 3, certificates: 1, total: 4 });
    expect(problemCount([details('a').status], [])).toEqual({ connections: 0, certificates: 0, total: 0 });
  });

  it('says a connection waits for the certificate only while it is not connected', () => {
    const pending = { ...certificate('1'), state: 'pending' };
    expect(
      waitsForCertificate(details('a', { status: { state: 'failed' }, serverCertificate: pending })),
    ).toBe(true);
    expect(waitsForCertificate(details('a', { serverCertificate: pending }))).toBe(false);
    expect(
      waitsForCertificate(
        details('a', { status: { state: 'failed' }, serverCertificate: { ...pending, state: 'trusted' } }),
      ),
    ).toBe(false);
  });

  it('says first that a connection waits for a certificate decision, else what the core said', () => {
    const cert = { ...certificate('1'), state: 'pending' };
    const lastError = 'The server certificate "CN=PLC" (SHA-1 1111...) is not trusted yet: review it';
    expect(
      connectionWhy(details('a', { status: { state: 'failed', lastError }, serverCertificate: cert })),
    ).toBe('Waiting for you to trust the server certificate under Certificates');
    expect(
      connectionWhy(
        details('a', {
          status: { state: 'failed', lastError },
          serverCertificate: { ...cert, state: 'rejected' },
        }),
      ),
    ).toMatch(/was rejected: trust it under Certificates/);
    expect(
      connectionWhy(details('a', { status: { state: 'connecting', lastError: 'Cannot reach x' } })),
    ).toBe('Cannot reach x');
  });

  it('highlights a connected connection whose values stopped for over a minute', () => {
    const s = details('a', { status: { tagCount: 3, lastValueAt: T0 } }).status;
    expect(isQuiet(s, T0 + 30_000)).toBe(false);
    expect(isQuiet(s, T0 + 61_000)).toBe(true);
    expect(isQuiet({ ...s, tagCount: 0 }, T0 + 61_000)).toBe(false);
    expect(isQuiet({ ...s, state: 'failed' }, T0 + 61_000)).toBe(false);
  });
});

describe('list presentation', () => {
  it('puts the built-in connection first, then the configured ones by name, whatever their state', () => {
    const list = [
      details('z', { name: 'Zeta press' }),
      details('sim', { name: 'Built-in simulator', configured: false }),
      details('a', { name: 'alpha line', status: { state: 'failed' } }),
    ];
    expect(sortConnections(list).map((d) => d.status.id)).toEqual(['sim', 'a', 'z']);
    expect(listSummary(list)).toBe('3 connections, 1 not connected');
    expect(listSummary([details('a')])).toBe('1 connection, all connected');
  });

  it('writes durations and ages an engineer reads at a glance', () => {
    expect(formatSpan(850)).toBe('850 ms');
    expect(formatSpan(1234)).toBe('1.2 s');
    expect(formatSpan(42_000)).toBe('42 s');
    expect(formatSpan(245_000)).toBe('4 min 05 s');
    expect(formatSpan(2 * 3600_000 + 5 * 60_000)).toBe('2 h 05 min');
    expect(formatSpan(3 * 86_400_000 + 4 * 3600_000)).toBe('3 d 4 h');
    expect(formatSpan(null)).toBe('—');
    expect(formatAge(null, T0)).toBe('none yet');
    expect(formatAge(T0 - 300, T0)).toBe('just now');
    expect(formatAge(T0 - 3000, T0)).toBe('3.0 s ago');
  });

  it('sums the subscriptions and explains a state without an error', () => {
    const subs = [
      { subscriptionId: 1, items: 100, publishingIntervalMs: 100, keepAliveMs: 1000 },
      { subscriptionId: 2, items: 18, publishingIntervalMs: 100, keepAliveMs: 1000 },
    ];
    expect(subscriptionSummary(subs)).toBe('2 / 118 items');
    expect(subscriptionSummary([])).toBe('none');
    expect(stateText({ state: 'failed', lastError: 'The server refused user "bob"' })).toBe(
      'The server refused user "bob"',
    );
    expect(stateText({ state: 'reconnecting', lastError: null })).toMatch(/connecting again/);
  });

  it('names the connections a certificate belongs to', () => {
    const cert = { ...certificate('1'), state: 'pending' };
    const list = [details('a', { name: 'Press', serverCertificate: cert }), details('b')];
    expect(connectionsUsing(cert.thumbprint, list)).toEqual(['Press']);
  });
});

describe('data gaps', () => {
  it('calls a gap complete only when every tag was backfilled from republish or history', () => {
    expect(gapRecovery(gap(1, { recovery: 'republished' }))).toEqual({
      complete: true,
      text: 'Server republished the missed values',
    });
    expect(gapRecovery(gap(2))).toMatchObject({ complete: true });
    expect(
      gapRecovery(
        gap(3, { recovery: 'partial', backfilled: false, tagsNotBackfilled: 2, unfilledTagIds: ['x', 'y'] }),
      ),
    ).toEqual({ complete: false, text: 'Partly read back from the server history: 2 tags not backfilled' });
    expect(gapRecovery(gap(4, { recovery: 'none', backfilled: false, valuesBackfilled: 0 }))).toEqual({
      complete: false,
      text: 'Not recovered',
    });
    // History said fine but a tag is missing: still a hole.
    expect(gapRecovery(gap(5, { tagsNotBackfilled: 1 })).complete).toBe(false);
  });

  it('lists the newest gap first', () => {
    expect(sortGaps([gap(1, { from: T0 }), gap(2, { from: T0 + 10 })]).map((g) => g.id)).toEqual([2, 1]);
  });
});

describe('list keys', () => {
  const order = ['a', 'b', 'c'];
  it('moves with arrows, Home/End and pages, within the list', () => {
    expect(listKeyAction(order, 'a', 'ArrowDown')).toEqual({ focus: 'b' });
    expect(listKeyAction(order, 'a', 'ArrowUp')).toEqual({ focus: 'a' });
    expect(listKeyAction(order, 'b', 'End')).toEqual({ focus: 'c' });
    expect(listKeyAction(order, 'c', 'Home')).toEqual({ focus: 'a' });
    expect(listKeyAction(order, 'a', 'PageDown')).toEqual({ focus: 'c' });
    // A focused row that left the list: the first row is the current one.
    expect(listKeyAction(order, 'gone', 'ArrowDown')).toEqual({ focus: 'b' });
  });

  it('opens with Enter, closes with Escape, and trusts/rejects only where letters are on', () => {
    expect(listKeyAction(order, 'b', 'Enter')).toEqual({ open: 'b' });
    expect(listKeyAction(order, 'b', 'Escape')).toEqual({ close: true });
    expect(listKeyAction(order, 'b', 't')).toBeNull();
    expect(listKeyAction(order, 'b', 't', { letters: true })).toEqual({ trust: 'b' });
    expect(listKeyAction(order, 'b', 'R', { letters: true })).toEqual({ reject: 'b' });
    expect(listKeyAction(order, 'b', 't', { letters: true, mods: { ctrl: true } })).toBeNull();
    expect(listKeyAction(order, 'b', 'ArrowDown', { mods: { alt: true } })).toBeNull();
    expect(listKeyAction([], null, 'ArrowDown')).toBeNull();
  });
});
