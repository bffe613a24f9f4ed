import { describe, expect, it } from 'vitest';
import {
  applyDecision,
  certificateNames,
  certificateValidity,
  groupThumbprint,
  sortCertificates,
} from './certificateModel';
import { T0, certificate, certificateList } from './testFixtures';

const DAY = 86_400_000;

describe('certificates', () => {
  it('groups a SHA-1 thumbprint in fours, upper case, whatever form it came in', () => {
    const hex = '0123456789abcdef0123456789abcdef01234567';
    expect(groupThumbprint(hex)).toBe('0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567');
    expect(groupThumbprint('01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67')).toBe(
      groupThumbprint(hex),
    );
  });

  it('puts the review queue first (longest waiting first), then trusted, then rejected', () => {
    const list = [
      certificate('1', { state: 'rejected', subject: 'CN=A' }),
      certificate('2', { state: 'trusted', subject: 'CN=B' }),
      certificate('3', { state: 'pending', firstSeenAt: T0 + 10 }),
      certificate('4', { state: 'trusted', subject: 'CN=A' }),
      certificate('5', { state: 'pending', firstSeenAt: T0 }),
    ];
    expect(sortCertificates(list).map((c) => c.thumbprint[0])).toEqual(['5', '3', '4', '2', '1']);
  });

  it('warns 30 days before expiry, and says when a certificate cannot be used', () => {
    const cert = { notBefore: T0, notAfter: T0 + 100 * DAY };
    expect(certificateValidity(cert, T0 + DAY)).toEqual({ state: 'valid', level: 'ok', text: 'Valid' });
    expect(certificateValidity(cert, T0 + 80 * DAY)).toEqual({
      state: 'expiring',
      level: 'warning',
      text: 'Expires in 20 days',
    });
    expect(certificateValidity(cert, T0 + 100 * DAY - 1000).text).toBe('Expires within a day');
    expect(certificateValidity(cert, T0 + 100 * DAY)).toMatchObject({ state: 'expired', level: 'bad' });
    expect(certificateValidity(cert, T0 - 1)).toMatchObject({ state: 'not_yet_valid', level: 'bad' });
  });

  it('lists where a certificate says its server lives', () => {
    expect(certificateNames({ dnsNames: ['plc.local'], ipAddresses: ['10.0.0.7'] })).toBe(
      'plc.local, 10.0.0.7',
    );
    expect(certificateNames({ dnsNames: [], ipAddresses: [] })).toBe('—');
  });

  it('applies a trust decision to the list at once', () => {
    const list = certificateList([certificate('1'), certificate('2')]);
    const trusted = { ...list.servers[0]!, state: 'trusted' as const, decidedAt: T0 };
    const after = applyDecision(list, trusted);
    expect(after.servers.map((c) => c.state)).toEqual(['trusted', 'pending']);
    expect(list.servers[0]!.state).toBe('pending'); // not mutated
    expect(applyDecision(list, certificate('9', { state: 'rejected' })).servers).toHaveLength(3);
  });
});
