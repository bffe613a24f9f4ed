import { describe, expect, it } from 'vitest';
import {
  applyEndpoint,
  buildInput,
  chosenEndpoint,
  draftFromDetails,
  emptyDraft,
  endpointSupport,
  endpointUrlProblem,
  fieldErrors,
  fieldOfPath,
  identityOptions,
  sharedCertificate,
  sortEndpoints,
  type ConnectionDraft,
} from './connectionForm';
import { details, endpoint } from './testFixtures';

const filled = (patch: Partial<ConnectionDraft> = {}): ConnectionDraft => ({
  ...emptyDraft(),
  endpointUrl: ' opc.tcp://plc7.local:4840 ',
  name: 'Line 3 PLC',
  ...patch,
});

describe('connection form -> command input', () => {
  it('builds addConnection input with the defaults of the contract', () => {
    const built = buildInput(filled(), null);
    expect(built).toEqual({
      ok: true,
      input: {
        name: 'Line 3 PLC',
        endpointUrl: 'opc.tcp://plc7.local:4840',
        security: { mode: 'None', policy: 'None' },
        identity: { type: 'anonymous' },
        discover: false,
        alarms: false,
        samplingIntervalMs: 0,
        publishingIntervalMs: 100,
      },
    });
  });

  it('puts each problem next to its field and sends nothing', () => {
    const built = buildInput(
      filled({
        endpointUrl: 'plc7.local:4840',
        name: '  ',
        mode: 'SignAndEncrypt',
        policy: 'None',
        identity: 'username',
        userName: '',
        publishingIntervalMs: 'fast',
        id: 'bad id!',
      }),
      null,
    );
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.errors).toMatchObject({
      endpointUrl: 'Must start with opc.tcp://',
      name: 'A name is needed',
      security: expect.stringMatching(/Sign \/ SignAndEncrypt need a policy other than None/),
      userName: expect.any(String),
      publishingIntervalMs: 'Give a number of milliseconds',
      id: 'Use letters, digits, - and _ only (at most 63)',
    });
    expect(built.errors.form).toBeUndefined();
  });

  it('keeps the stored password when the edit leaves it empty, and sends a typed one', () => {
    const draft = filled({ identity: 'username', userName: 'bob', password: '' });
    const keep = buildInput(draft, 'line3');
    expect(keep.ok && keep.input.identity).toEqual({
      type: 'username',
      userName: 'bob',
      password: undefined,
    });
    expect(keep.ok && keep.input.id).toBe('line3');
    const change = buildInput({ ...draft, password: 's3cret' }, 'line3');
    expect(change.ok && change.input.identity).toEqual({
      type: 'username',
      userName: 'bob',
      password: 's3cret',
    });
    // A new connection sends the password as typed, even empty.
    const add = buildInput(draft, null);
    expect(add.ok && add.input.identity).toEqual({ type: 'username', userName: 'bob', password: '' });
  });

  it('needs both files for a certificate identity', () => {
    const built = buildInput(
      filled({ identity: 'certificate', certificateFile: '/etc/vigil/user.pem' }),
      null,
    );
    expect(!built.ok && built.errors.privateKeyFile).toBeTruthy();
  });

  it('maps the core’s field paths onto the form', () => {
    expect(fieldOfPath('identity.userName')).toBe('userName');
    expect(fieldOfPath('identity')).toBe('identity');
    expect(fieldOfPath('security.policy')).toBe('security');
    expect(fieldOfPath('endpointUrl')).toBe('endpointUrl');
    expect(fieldOfPath('connectionId')).toBe('id');
    expect(fieldOfPath('(root)')).toBe('form');
    expect(
      fieldErrors([
        { path: 'name', message: 'a connection named "x" exists already' },
        { path: 'name', message: 'second' },
        { path: 'tags', message: 'one' },
        { path: '(root)', message: 'two' },
      ]),
    ).toEqual({ name: 'A connection named "x" exists already', form: 'One Two' });
  });

  it('checks an endpoint URL before discovery', () => {
    expect(endpointUrlProblem('opc.tcp://host:4840')).toBeNull();
    expect(endpointUrlProblem('http://host:4840')).toBe('Must start with opc.tcp://');
  });
});

describe('discovered endpoints', () => {
  const none = endpoint('None', 'None', { userTokens: ['anonymous'] });
  const secure = endpoint('SignAndEncrypt', 'Basic256Sha256', { userTokens: ['username', 'certificate'] });
  const old = endpoint('Sign', 'Basic128Rsa15');

  it('offers only the identities the endpoint accepts and Vigil supports', () => {
    expect(identityOptions(null)).toEqual(['anonymous', 'username', 'certificate']);
    expect(identityOptions(secure)).toEqual(['username', 'certificate']);
    expect(identityOptions(endpoint('None', 'None', { userTokens: ['issued'] }))).toEqual([]);
  });

  it('refuses deprecated policies, and sorts usable, most secure endpoints first', () => {
    expect(endpointSupport(old)).toEqual({
      usable: false,
      reason: expect.stringMatching(/Basic128Rsa15 is deprecated/),
    });
    expect(endpointSupport(secure).usable).toBe(true);
    expect(sortEndpoints([none, old, secure])).toEqual([secure, none, old]);
  });

  it('shows the server certificate once when every secured endpoint presents the same', () => {
    expect(sharedCertificate([none, secure, old])?.thumbprint).toBe('a'.repeat(40));
    const other = endpoint('Sign', 'Basic256Sha256', {
      serverCertificate: { ...secure.serverCertificate!, thumbprint: 'b'.repeat(40) },
    });
    expect(sharedCertificate([secure, other])).toBeNull();
    expect(sharedCertificate([none])).toBeNull();
  });

  it('takes the chosen endpoint’s security and switches to an identity it accepts', () => {
    const draft = applyEndpoint(filled({ identity: 'anonymous' }), secure);
    expect(draft).toMatchObject({ mode: 'SignAndEncrypt', policy: 'Basic256Sha256', identity: 'username' });
    expect(draft.endpointUrl).toBe(filled().endpointUrl); // the URL typed stays
    expect(chosenEndpoint(draft, [none, secure])).toBe(secure);
    expect(applyEndpoint(draft, old)).toBe(draft);
  });
});

describe('edit form from the reported details', () => {
  it('starts from the saved settings when the core reports them, so saving changes nothing unasked', () => {
    const { draft, unknown } = draftFromDetails(
      details('line4', {
        settings: {
          id: 'line4',
          name: 'Line 4',
          endpointUrl: 'opc.tcp://10.0.0.4:4840',
          security: { mode: 'SignAndEncrypt', policy: 'Aes256_Sha256_RsaPss' },
          identity: { type: 'certificate', certificateFile: '/etc/u.pem', privateKeyFile: '/etc/u.key' },
          discover: true,
          alarms: false,
          samplingIntervalMs: 250,
          publishingIntervalMs: 500,
        },
      }),
    );
    expect(unknown).toEqual([]);
    expect(draft).toMatchObject({
      name: 'Line 4',
      endpointUrl: 'opc.tcp://10.0.0.4:4840',
      mode: 'SignAndEncrypt',
      policy: 'Aes256_Sha256_RsaPss',
      identity: 'certificate',
      certificateFile: '/etc/u.pem',
      privateKeyFile: '/etc/u.key',
      discover: true,
      samplingIntervalMs: '250',
      publishingIntervalMs: '500',
      password: '',
    });
  });

  it('fills what the core reports and names what it does not', () => {
    const { draft, unknown } = draftFromDetails(
      details('line3', {
        name: 'Line 3 PLC',
        security: { mode: 'Sign', policy: 'Aes128_Sha256_RsaOaep' },
        identity: 'user "bob"',
        alarms: { enabled: true, conditions: 0, lastEventAt: null, error: null },
        subscriptions: [{ subscriptionId: 1, items: 3, publishingIntervalMs: 250, keepAliveMs: 2500 }],
      }),
    );
    expect(draft).toMatchObject({
      name: 'Line 3 PLC',
      id: 'line3',
      endpointUrl: 'opc.tcp://127.0.0.1:4840/line3',
      mode: 'Sign',
      policy: 'Aes128_Sha256_RsaOaep',
      identity: 'username',
      userName: 'bob',
      password: '',
      alarms: true,
      publishingIntervalMs: '250',
    });
    expect(unknown).toEqual(['samplingIntervalMs', 'discover']);
    const cert = draftFromDetails(details('x', { identity: 'certificate /etc/vigil/user.pem' }));
    expect(cert.draft).toMatchObject({ identity: 'certificate', certificateFile: '/etc/vigil/user.pem' });
    expect(cert.unknown).toContain('privateKeyFile');
  });
});
