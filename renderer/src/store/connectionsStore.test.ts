import { afterEach, describe, expect, it } from 'vitest';
import { VigilApiError, type CommandName } from '../../../shared/api';
import { decodeResult } from '../transport/decode';
import { createObservable } from '../transport/observable';
import type { TransportStatus } from '../transport/types';
import {
  T0,
  certificate,
  certificateList,
  details,
  endpoint,
  gap,
} from '../features/connections/testFixtures';
import { createConnectionsStore } from './connectionsStore';

/**
 * Answers each call when the test resolves it, so the order and overlap of calls can be staged.
 * Answers go through the renderer's own contract decoding, as they do over the wire.
 */
function scriptedClient() {
  const calls: {
    name: CommandName;
    input: unknown;
    resolve: (v: unknown) => void;
    reject: (e: Error) => void;
  }[] = [];
  const status = createObservable<TransportStatus>({ state: 'open', lastError: null, attempt: 0 });
  const client = {
    status,
    call: ((name: CommandName, input: unknown) =>
      new Promise((resolve, reject) =>
        calls.push({ name, input, resolve: (v) => resolve(decodeResult(name, v)), reject }),
      )) as never,
  };
  const next = (name: CommandName) => {
    const i = calls.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`no pending ${name} call (pending: ${calls.map((c) => c.name).join(', ')})`);
    return calls.splice(i, 1)[0]!;
  };
  return { client, calls, next, status };
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const invalid = (issues: { path: string; message: string }[]) =>
  new VigilApiError({ code: 'invalid_input', message: 'Invalid input for addConnection', issues });

let stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
});

function setup() {
  const scripted = scriptedClient();
  const store = createConnectionsStore(scripted.client, { now: () => T0, pollMs: 60_000 });
  return { ...scripted, store };
}

/** Answers one full polling cycle of a watched view. */
async function answerCycle(
  next: ReturnType<typeof scriptedClient>['next'],
  list = [details('plc')],
  certs = certificateList([]),
) {
  next('getConnectionDetails').resolve(list);
  await flush();
  next('listCertificates').resolve(certs);
  await flush();
}

async function watched(s: ReturnType<typeof setup>) {
  stops.push(s.store.getState().watch());
  await answerCycle(s.next);
  await flush();
}

describe('connections store: polling', () => {
  it('polls only the certificates without a view, everything while one watches', async () => {
    const { store, next, calls } = setup();
    const background = store.getState().poll();
    expect(calls.map((c) => c.name)).toEqual(['listCertificates']);
    next('listCertificates').resolve(certificateList([certificate('1')]));
    await background;
    expect(store.getState().certificates.data?.servers).toHaveLength(1);

    const stop = store.getState().watch();
    expect(calls.map((c) => c.name)).toEqual(['getConnectionDetails']);
    await answerCycle(next, [details('plc', { status: { tagCount: 7 } })]);
    expect(store.getState().details).toMatchObject({ status: 'ready', updatedAt: T0 });
    expect(store.getState().details.data[0]!.status.tagCount).toBe(7);
    stop();
    stop(); // twice is harmless
    expect(store.getState().watchers).toBe(0);
  });

  it('never runs two cycles at once, and runs one more when asked during a cycle', async () => {
    const s = setup();
    stops.push(s.store.getState().watch());
    void s.store.getState().poll();
    void s.store.getState().poll();
    expect(s.calls.map((c) => c.name)).toEqual(['getConnectionDetails']); // one call in flight
    await answerCycle(s.next);
    await flush();
    // Exactly one more cycle for the two requests made while the first ran.
    expect(s.calls.map((c) => c.name)).toEqual(['getConnectionDetails']);
    await answerCycle(s.next);
    await flush();
    expect(s.calls).toEqual([]);
  });

  it('keeps the last list when a poll fails, and loads the gaps of the open connection', async () => {
    const s = setup();
    await watched(s);
    s.store.getState().openDetails('plc');
    expect(s.store.getState().gaps).toMatchObject({ connectionId: 'plc', status: 'loading' });
    s.next('getConnectionDetails').reject(
      new VigilApiError({ code: 'unavailable', message: 'link lost', issues: [] }),
    );
    await flush();
    s.next('listCertificates').resolve(certificateList([]));
    await flush();
    const listGaps = s.next('listDataGaps');
    expect(listGaps.input).toEqual({ connectionId: 'plc' });
    listGaps.resolve([gap(1, { recovery: 'none', backfilled: false })]);
    await flush();
    const st = s.store.getState();
    expect(st.details).toMatchObject({ status: 'error', error: 'link lost' });
    expect(st.details.data.map((d) => d.status.id)).toEqual(['plc']);
    expect(st.gaps).toMatchObject({ connectionId: 'plc', status: 'ready' });
    expect(st.gaps.data).toHaveLength(1);
  });

  it('polls again as soon as the link to the core is back', async () => {
    const s = setup();
    stops.push(s.store.getState().start());
    s.next('listCertificates').resolve(certificateList([]));
    await flush();
    s.status.set({ state: 'reconnecting', lastError: 'lost', attempt: 1 });
    expect(s.calls).toEqual([]);
    s.status.set({ state: 'open', lastError: null, attempt: 0 });
    expect(s.calls.map((c) => c.name)).toEqual(['listCertificates']);
  });
});

describe('connections store: add and edit', () => {
  it('refuses a bad form before sending anything, keeping what was typed', async () => {
    const s = setup();
    s.store.getState().openAdd();
    s.store.getState().setDraft({ endpointUrl: 'plc7:4840', name: 'Line 3' });
    expect(await s.store.getState().save()).toBe(false);
    expect(await s.store.getState().discover()).toBe(false);
    expect(s.calls).toEqual([]);
    const form = s.store.getState().form!;
    expect(form.errors.endpointUrl).toBe('Must start with opc.tcp://');
    expect(form.draft).toMatchObject({ endpointUrl: 'plc7:4840', name: 'Line 3' });
    // Changing the field clears its complaint only.
    s.store.getState().setDraft({ endpointUrl: 'opc.tcp://plc7:4840' });
    expect(s.store.getState().form!.errors.endpointUrl).toBeUndefined();
  });

  it('discovers endpoints, says why when the server cannot be reached, and keeps the form', async () => {
    const s = setup();
    s.store.getState().openAdd();
    s.store.getState().setDraft({ endpointUrl: 'opc.tcp://127.0.0.1:1', name: 'Nowhere' });
    const failing = s.store.getState().discover();
    expect(s.store.getState().form!.discovery.status).toBe('loading');
    s.next('discoverEndpoints').reject(
      new VigilApiError({
        code: 'unavailable',
        message:
          'Cannot reach opc.tcp://127.0.0.1:1 (ECONNREFUSED); is the server running and the address right?',
        issues: [],
      }),
    );
    expect(await failing).toBe(false);
    expect(s.store.getState().form!.discovery).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(s.store.getState().form!.draft.name).toBe('Nowhere');

    const secure = endpoint('SignAndEncrypt', 'Basic256Sha256');
    const none = endpoint('None', 'None');
    const found = s.store.getState().discover();
    s.next('discoverEndpoints').resolve([none, secure]);
    expect(await found).toBe(true);
    const discovery = s.store.getState().form!.discovery;
    expect(discovery.endpoints.map((e) => e.securityMode)).toEqual(['SignAndEncrypt', 'None']);
    s.store.getState().chooseEndpoint(discovery.endpoints[0]!);
    expect(s.store.getState().form!.draft).toMatchObject({
      mode: 'SignAndEncrypt',
      policy: 'Basic256Sha256',
    });
  });

  it('shows the core’s field errors next to the fields and keeps everything typed', async () => {
    const s = setup();
    s.store.getState().openAdd();
    s.store.getState().setDraft({
      endpointUrl: 'opc.tcp://plc7:4840',
      name: 'Line 3',
      identity: 'username',
      userName: 'bob',
      password: 'pw',
    });
    const saving = s.store.getState().save();
    expect(s.store.getState().form!.busy).toBe(true);
    const call = s.next('addConnection');
    expect(call.input).toMatchObject({
      name: 'Line 3',
      identity: { type: 'username', userName: 'bob', password: 'pw' },
    });
    call.reject(invalid([{ path: 'name', message: 'a connection named "Line 3" exists already' }]));
    expect(await saving).toBe(false);
    const form = s.store.getState().form!;
    expect(form.busy).toBe(false);
    expect(form.errors).toEqual({ name: 'A connection named "Line 3" exists already' });
    expect(form.draft).toMatchObject({ name: 'Line 3', userName: 'bob', password: 'pw' });

    // An error without field paths goes above the buttons.
    const again = s.store.getState().save();
    s.next('addConnection').reject(
      new VigilApiError({
        code: 'unavailable',
        message: 'The configuration file cannot be written',
        issues: [],
      }),
    );
    await again;
    expect(s.store.getState().form!.errors).toEqual({ form: 'The configuration file cannot be written' });
  });

  it('closes the form on success and opens the new connection', async () => {
    const s = setup();
    await watched(s);
    s.store.getState().openAdd();
    s.store.getState().setDraft({ endpointUrl: 'opc.tcp://plc7:4840', name: 'Line 3' });
    const saving = s.store.getState().save();
    s.next('addConnection').resolve({
      ...details('line-3').status,
      state: 'failed',
      lastError: 'The server certificate is not trusted yet',
    });
    expect(await saving).toBe(true);
    const st = s.store.getState();
    expect(st.form).toBeNull();
    expect(st.openId).toBe('line-3');
    expect(st.notice).toMatch(/Added "Line 3": failed \(The server certificate is not trusted yet\)/);
    expect(s.calls.map((c) => c.name)).toEqual(['getConnectionDetails']); // shows it at once
  });

  it('edits only configured connections, without re-sending an untouched password', async () => {
    const s = setup();
    stops.push(s.store.getState().watch());
    await answerCycle(s.next, [
      details('sim', { configured: false, name: 'Built-in simulator' }),
      details('line3', { identity: 'user "bob"', name: 'Line 3' }),
    ]);
    s.store.getState().openEdit('sim');
    expect(s.store.getState().form).toBeNull();
    expect(s.store.getState().errors.sim).toMatch(/cannot be edited/);

    s.store.getState().openEdit('line3');
    expect(s.store.getState().form).toMatchObject({ mode: 'edit', connectionId: 'line3' });
    const saving = s.store.getState().save();
    const call = s.next('updateConnection');
    expect(call.input).toMatchObject({
      id: 'line3',
      name: 'Line 3',
      identity: { type: 'username', userName: 'bob' },
    });
    expect((call.input as { identity: { password?: string } }).identity.password).toBeUndefined();
    call.resolve(details('line3').status);
    expect(await saving).toBe(true);
    expect(s.store.getState().notice).toMatch(/Saved "Line 3"/);
  });
});

describe('connections store: remove, reconnect, certificates', () => {
  it('keeps the confirmation open with the core’s reason, then removes and says the history stays', async () => {
    const s = setup();
    stops.push(s.store.getState().watch());
    await answerCycle(s.next, [details('line3', { name: 'Line 3' })]);
    s.store.getState().openDetails('line3');
    s.store.getState().askRemove('line3');
    const refused = s.store.getState().remove('line3');
    s.next('removeConnection').reject(
      new VigilApiError({ code: 'internal', message: 'disk full', issues: [] }),
    );
    expect(await refused).toBe(false);
    expect(s.store.getState().confirmRemove).toBe('line3');
    expect(s.store.getState().errors.line3).toBe('disk full');

    const removing = s.store.getState().remove('line3');
    expect(s.store.getState().pending.line3).toBe('Removing…');
    s.next('removeConnection').resolve({ removed: true });
    expect(await removing).toBe(true);
    const st = s.store.getState();
    expect(st.confirmRemove).toBeNull();
    expect(st.openId).toBeNull();
    expect(st.details.data).toEqual([]);
    expect(st.notice).toBe('Removed "Line 3"; the history it recorded stays in the historian');
  });

  it('trusts a pending certificate on the operator’s action and shows the connection retry', async () => {
    const s = setup();
    const pending = certificate('c', { subject: 'CN=Simulator' });
    stops.push(s.store.getState().watch());
    await answerCycle(
      s.next,
      [
        details('sec', {
          status: { state: 'failed', lastError: 'not trusted yet' },
          serverCertificate: { ...pending },
        }),
      ],
      certificateList([pending]),
    );
    await flush();
    expect(s.store.getState().certificates.data!.servers[0]!.state).toBe('pending');
    const trusting = s.store.getState().trust(pending.thumbprint);
    const call = s.next('trustCertificate');
    expect(call.input).toEqual({ thumbprint: pending.thumbprint });
    call.resolve({ ...pending, state: 'trusted', decidedAt: T0 });
    expect(await trusting).toBe(true);
    expect(s.store.getState().certificates.data!.servers[0]!.state).toBe('trusted');
    expect(s.store.getState().notice).toMatch(
      /Trusted "CN=Simulator": connections waiting for it connect again/,
    );
    // The next cycle shows the connection connected.
    await answerCycle(
      s.next,
      [details('sec', { status: { state: 'connected' } })],
      certificateList([{ ...pending, state: 'trusted' }]),
    );
    expect(s.store.getState().details.data[0]!.status.state).toBe('connected');
  });

  it('reports a refused decision next to the certificate', async () => {
    const s = setup();
    const rejecting = s.store.getState().reject('f'.repeat(40));
    s.next('rejectCertificate').reject(
      new VigilApiError({ code: 'not_found', message: 'No certificate ffff', issues: [] }),
    );
    expect(await rejecting).toBe(false);
    expect(s.store.getState().errors['f'.repeat(40)]).toBe('No certificate ffff');
  });

  it('reconnects and shows the state the core answered', async () => {
    const s = setup();
    stops.push(s.store.getState().watch());
    await answerCycle(s.next, [details('plc', { status: { state: 'failed', lastError: 'refused' } })]);
    const reconnecting = s.store.getState().reconnect('plc');
    s.next('reconnectConnection').resolve(details('plc').status);
    expect(await reconnecting).toBe(true);
    expect(s.store.getState().details.data[0]!.status.state).toBe('connected');
    expect(s.store.getState().notice).toBe('Reconnected "plc": connected');
  });

  it('browses only configured connections', async () => {
    const s = setup();
    stops.push(s.store.getState().watch());
    await answerCycle(s.next, [details('sim', { configured: false }), details('plc', { name: 'PLC' })]);
    s.store.getState().openBrowse('sim');
    expect(s.store.getState().browse).toBeNull();
    s.store.getState().openBrowse('plc');
    expect(s.store.getState().browse).toEqual({ connectionId: 'plc', name: 'PLC' });
    s.store.getState().closeBrowse();
    expect(s.store.getState().browse).toBeNull();
  });
});
