import { describe, expect, it } from 'vitest';
import { classifyConnectError, ConnectionFailure, statusNameIn } from './errors';

const url = 'opc.tcp://plc:4840';

describe('classifyConnectError', () => {
  it('retries an unreachable server and says which address', () => {
    const f = classifyConnectError(
      new Error(
        'The connection cannot be established with server\nErr = (connect ECONNREFUSED 10.0.0.1:4840)',
      ),
      url,
      null,
    );
    expect(f).toMatchObject({
      retry: 'backoff',
      message: `Cannot reach ${url} (ECONNREFUSED); is the server running and the address right?`,
    });
  });

  it('does not retry a refused password, and names the user', () => {
    const f = classifyConnectError(new Error('BadUserAccessDenied (0x801f0000)'), url, 'op');
    expect(f.retry).toBe('never');
    expect(f.message).toMatch(/refused user "op" \(BadUserAccessDenied\): wrong user name or password/);
  });

  it('retries rarely when the server does not trust Vigil', () => {
    const f = classifyConnectError(
      new Error('The connection has been rejected by server: BadSecurityChecksFailed (0x80130000)'),
      url,
      null,
    );
    expect(f.retry).toBe('slow');
    expect(f.message).toMatch(/refused Vigil's application certificate .*trust it/);
  });

  it('explains a missing identity token policy', () => {
    const f = classifyConnectError(
      new Error('Cannot find ANONYMOUS user token policy in end point description'),
      url,
      null,
    );
    expect(f).toMatchObject({
      retry: 'never',
      message: expect.stringMatching(/does not accept anonymous users/),
    });
  });

  it('keeps its own failures and the first line of unknown errors', () => {
    const own = new ConnectionFailure('x', 'trust');
    expect(classifyConnectError(own, url, null)).toBe(own);
    expect(classifyConnectError(new Error('odd thing\nstack'), url, null)).toMatchObject({
      retry: 'backoff',
      message: `${url}: odd thing`,
    });
    expect(statusNameIn('failed with BadTimeout (0x800a0000)')).toBe('BadTimeout');
  });
});
