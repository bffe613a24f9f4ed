import { createStore, type StoreApi } from 'zustand/vanilla';
import { VigilApiError } from '../../../shared/api';
import type { ConnectionStatus } from '../../../shared/domain';
import { applyDecision } from '../features/connections/certificateModel';
import {
  applyEndpoint,
  buildInput,
  draftFromDetails,
  emptyDraft,
  endpointUrlProblem,
  fieldErrors,
  sortEndpoints,
  type ConnectionDraft,
  type EndpointInfo,
  type FieldErrors,
  type FormField,
} from '../features/connections/connectionForm';
import type {
  CertificateList,
  ConnectionDetails,
  DataGap,
  StoredCertificate,
} from '../features/connections/connectionModel';
import type { RendererClient } from '../transport/types';
import { messageOf } from './alarmsStore';
import type { LoadStatus } from './appStore';

/**
 * The Connections view's state: every OPC UA connection as getConnectionDetails reports it, the
 * data gaps of the connection whose details are open, the certificate review queue, and the forms
 * (add / edit connection, remove confirmation). The store polls, one call at a time: every few
 * seconds while a view watches, only the certificates (for the tab badge) otherwise. Every rule
 * (retrying, trust, what a valid connection is) is the core's; the store sends the command and
 * shows the answer, checking input only against the contract's own schemas.
 */

export type ConnectionsClient = Pick<RendererClient, 'call' | 'status'>;

export interface Polled<T> {
  status: LoadStatus;
  data: T;
  error: string | null;
  /** When the last answer arrived (epoch ms). */
  updatedAt: number | null;
}

export interface DiscoveryState {
  status: LoadStatus;
  /** The URL the endpoints were discovered at. */
  url: string | null;
  endpoints: EndpointInfo[];
  error: string | null;
}

export interface ConnectionFormState {
  mode: 'add' | 'edit';
  /** The connection being edited. */
  connectionId: string | null;
  draft: ConnectionDraft;
  /** Edit: settings the core does not report, shown with their defaults and a note. */
  unknown: FormField[];
  discovery: DiscoveryState;
  busy: boolean;
  errors: FieldErrors;
}

export interface ConnectionsState {
  /** Views watching (the store polls every few seconds while there is one). */
  watchers: number;
  details: Polled<ConnectionDetails[]>;
  certificates: Polled<CertificateList | null>;
  gaps: Polled<DataGap[]> & { connectionId: string | null };
  /** The connection row holding the keyboard focus. */
  focusedId: string | null;
  /** The connection whose details are shown. */
  openId: string | null;
  /** The certificate row holding the keyboard focus (thumbprint). */
  focusedCertificate: string | null;
  /** A command in flight, per connection id or certificate thumbprint: what it does, in words. */
  pending: Readonly<Record<string, string>>;
  /** What the core refused, per connection id or certificate thumbprint. */
  errors: Readonly<Record<string, string>>;
  /** What was done, for the status line. */
  notice: string | null;
  form: ConnectionFormState | null;
  /** The connection whose removal waits for confirmation. */
  confirmRemove: string | null;
  /** The connection whose address space is being browsed to add tags. */
  browse: { connectionId: string; name: string } | null;
}

export interface ConnectionsActions {
  /** Polls the certificates in the background (tab badge); returns the function that stops it. */
  start(): () => void;
  /** A view opened: polls everything every few seconds until the returned function is called. */
  watch(): () => void;
  /** One polling cycle (details, certificates, gaps), never two at once. */
  poll(): Promise<void>;
  focus(id: string): void;
  openDetails(id: string | null): void;
  focusCertificate(thumbprint: string): void;
  reconnect(id: string): Promise<boolean>;
  openAdd(): void;
  openEdit(id: string): void;
  setDraft(patch: Partial<ConnectionDraft>): void;
  discover(): Promise<boolean>;
  chooseEndpoint(endpoint: EndpointInfo): void;
  closeForm(): void;
  /** Resolves true when the core accepted the form (it then closes). */
  save(): Promise<boolean>;
  askRemove(id: string): void;
  cancelRemove(): void;
  remove(id: string): Promise<boolean>;
  trust(thumbprint: string): Promise<boolean>;
  reject(thumbprint: string): Promise<boolean>;
  openBrowse(id: string): void;
  closeBrowse(): void;
}

export type ConnectionsStore = StoreApi<ConnectionsState & ConnectionsActions>;

export const CONNECTIONS_POLL_MS = 3000;
/** Without a view open only the certificates are polled, for the badge: a pending one is rare. */
export const CERTIFICATES_BACKGROUND_MS = 15_000;

export function initialConnectionsState(): ConnectionsState {
  return {
    watchers: 0,
    details: { status: 'idle', data: [], error: null, updatedAt: null },
    certificates: { status: 'idle', data: null, error: null, updatedAt: null },
    gaps: { status: 'idle', data: [], error: null, updatedAt: null, connectionId: null },
    focusedId: null,
    openId: null,
    focusedCertificate: null,
    pending: {},
    errors: {},
    notice: null,
    form: null,
    confirmRemove: null,
    browse: null,
  };
}

function without<V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> {
  if (!(key in record)) return record as Record<string, V>;
  const out = { ...record };
  delete out[key];
  return out;
}

const NO_DISCOVERY: DiscoveryState = { status: 'idle', url: null, endpoints: [], error: null };

export function createConnectionsStore(
  client: ConnectionsClient,
  options: { now?: () => number; pollMs?: number; backgroundMs?: number } = {},
): ConnectionsStore {
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? CONNECTIONS_POLL_MS;
  const backgroundMs = options.backgroundMs ?? CERTIFICATES_BACKGROUND_MS;

  return createStore<ConnectionsState & ConnectionsActions>()((set, get) => {
    let cycle: Promise<void> | null = null;
    let again = false;
    let discoverRequest = 0;

    const nameOf = (id: string) => get().details.data.find((d) => d.status.id === id)?.name ?? id;

    const loadDetails = async () => {
      try {
        const data = await client.call('getConnectionDetails', {});
        set({ details: { status: 'ready', data, error: null, updatedAt: now() } });
      } catch (err) {
        // Keep the last answer: it says what the connections were doing before the call failed.
        set((s) => ({ details: { ...s.details, status: 'error', error: messageOf(err) } }));
      }
    };

    const loadCertificates = async () => {
      try {
        const data = await client.call('listCertificates', {});
        set({ certificates: { status: 'ready', data, error: null, updatedAt: now() } });
      } catch (err) {
        set((s) => ({ certificates: { ...s.certificates, status: 'error', error: messageOf(err) } }));
      }
    };

    const loadGaps = async () => {
      const connectionId = get().openId;
      if (connectionId === null) {
        if (get().gaps.connectionId !== null)
          set({ gaps: { status: 'idle', data: [], error: null, updatedAt: null, connectionId: null } });
        return;
      }
      try {
        const data = await client.call('listDataGaps', { connectionId });
        if (get().openId !== connectionId) return; // the engineer moved on
        set({ gaps: { status: 'ready', data, error: null, updatedAt: now(), connectionId } });
      } catch (err) {
        if (get().openId !== connectionId) return;
        set((s) => ({
          gaps: {
            ...(s.gaps.connectionId === connectionId ? s.gaps : { data: [], updatedAt: null }),
            status: 'error',
            error: messageOf(err),
            connectionId,
          },
        }));
      }
    };

    /** A poll soon after a change, so the list shows its effect (a new connection connecting). */
    const refreshSoon = () => void get().poll();

    const patchForm = (patch: Partial<ConnectionFormState>) =>
      set((s) => (s.form ? { form: { ...s.form, ...patch } } : {}));

    /** A connection's status from a command's answer, without waiting for the next poll. */
    const putStatus = (status: ConnectionStatus) =>
      set((s) => ({
        details: {
          ...s.details,
          data: s.details.data.map((d) => (d.status.id === status.id ? { ...d, status } : d)),
        },
      }));

    const onItem = async <T>(
      key: string,
      verb: string,
      run: () => Promise<T>,
      done: (result: T) => string,
    ): Promise<boolean> => {
      if (get().pending[key]) return false;
      set((s) => ({ pending: { ...s.pending, [key]: verb }, errors: without(s.errors, key), notice: null }));
      try {
        const result = await run();
        const notice = done(result);
        set((s) => ({ pending: without(s.pending, key), notice }));
      } catch (err) {
        set((s) => ({ pending: without(s.pending, key), errors: { ...s.errors, [key]: messageOf(err) } }));
        return false;
      }
      refreshSoon();
      return true;
    };

    const decide = (thumbprint: string, verdict: 'trust' | 'reject') => {
      const subject =
        get().certificates.data?.servers.find((c) => c.thumbprint === thumbprint)?.subject ?? thumbprint;
      return onItem(
        thumbprint,
        verdict === 'trust' ? 'Trusting…' : 'Rejecting…',
        (): Promise<StoredCertificate> =>
          verdict === 'trust'
            ? client.call('trustCertificate', { thumbprint })
            : client.call('rejectCertificate', { thumbprint }),
        (decided) => {
          set((s) => ({
            certificates: s.certificates.data
              ? { ...s.certificates, data: applyDecision(s.certificates.data, decided) }
              : s.certificates,
          }));
          return verdict === 'trust'
            ? `Trusted "${subject}": connections waiting for it connect again now`
            : `Rejected "${subject}": Vigil will not connect to a server presenting it`;
        },
      );
    };

    return {
      ...initialConnectionsState(),

      start() {
        let lastBackground = 0;
        const timer = setInterval(() => {
          const due = get().watchers > 0 || now() - lastBackground >= backgroundMs;
          if (!due) return;
          lastBackground = now();
          void get().poll();
        }, pollMs);
        lastBackground = now();
        void get().poll();
        // The link is back: what was shown may be out of date.
        let wasOpen = client.status.get().state === 'open';
        const stopFollowing = client.status.subscribe((status) => {
          const open = status.state === 'open';
          if (open && !wasOpen) void get().poll();
          wasOpen = open;
        });
        return () => {
          clearInterval(timer);
          stopFollowing();
        };
      },

      watch() {
        set((s) => ({ watchers: s.watchers + 1 }));
        void get().poll();
        let stopped = false;
        return () => {
          if (stopped) return;
          stopped = true;
          set((s) => ({ watchers: Math.max(0, s.watchers - 1) }));
        };
      },

      poll() {
        if (cycle) {
          again = true; // something changed while a cycle ran: one more after it, not one more each time
          return cycle;
        }
        cycle = (async () => {
          try {
            do {
              again = false;
              if (get().watchers > 0) {
                await loadDetails();
                await loadCertificates();
                await loadGaps();
              } else {
                await loadCertificates();
              }
            } while (again);
          } finally {
            cycle = null;
          }
        })();
        return cycle;
      },

      focus(id) {
        if (get().focusedId !== id) set({ focusedId: id });
      },

      openDetails(id) {
        const s = get();
        if (s.openId === id) return;
        set({
          openId: id,
          focusedId: id ?? s.focusedId,
          gaps:
            id === null || s.gaps.connectionId !== id
              ? {
                  status: id === null ? 'idle' : 'loading',
                  data: [],
                  error: null,
                  updatedAt: null,
                  connectionId: id,
                }
              : s.gaps,
        });
        if (id !== null) refreshSoon();
      },

      focusCertificate(thumbprint) {
        if (get().focusedCertificate !== thumbprint) set({ focusedCertificate: thumbprint });
      },

      reconnect(id) {
        return onItem(
          id,
          'Reconnecting…',
          () => client.call('reconnectConnection', { connectionId: id }),
          (status) => {
            putStatus(status);
            return `Reconnected "${nameOf(id)}": ${status.state}`;
          },
        );
      },

      openAdd() {
        set({
          form: {
            mode: 'add',
            connectionId: null,
            draft: emptyDraft(),
            unknown: [],
            discovery: NO_DISCOVERY,
            busy: false,
            errors: {},
          },
          notice: null,
        });
      },

      openEdit(id) {
        const details = get().details.data.find((d) => d.status.id === id);
        if (!details) {
          set((s) => ({ errors: { ...s.errors, [id]: `No connection "${id}" any more` } }));
          return;
        }
        if (!details.configured) {
          set((s) => ({
            errors: {
              ...s.errors,
              [id]: `"${details.name}" is not in the configuration file (the built-in simulator): it cannot be edited here`,
            },
          }));
          return;
        }
        const { draft, unknown } = draftFromDetails(details);
        set({
          form: {
            mode: 'edit',
            connectionId: id,
            draft,
            unknown,
            discovery: NO_DISCOVERY,
            busy: false,
            errors: {},
          },
          notice: null,
        });
      },

      setDraft(patch) {
        const form = get().form;
        if (!form) return;
        // A field the engineer changes loses its old complaint; the others keep theirs.
        const errors = { ...form.errors };
        for (const key of Object.keys(patch)) delete errors[key as FormField];
        if ('mode' in patch || 'policy' in patch) delete errors.security;
        if ('identity' in patch) delete errors.identity;
        patchForm({ draft: { ...form.draft, ...patch }, errors });
      },

      async discover() {
        const form = get().form;
        if (!form || form.busy) return false;
        const url = form.draft.endpointUrl.trim();
        const problem = endpointUrlProblem(url);
        if (problem) {
          patchForm({ errors: { ...form.errors, endpointUrl: problem }, discovery: NO_DISCOVERY });
          return false;
        }
        const request = ++discoverRequest;
        patchForm({
          discovery: { status: 'loading', url, endpoints: [], error: null },
          errors: without(form.errors, 'endpointUrl'),
        });
        try {
          const endpoints = sortEndpoints(await client.call('discoverEndpoints', { endpointUrl: url }));
          if (request !== discoverRequest || !get().form) return false;
          patchForm({ discovery: { status: 'ready', url, endpoints, error: null } });
          return true;
        } catch (err) {
          if (request !== discoverRequest || !get().form) return false;
          patchForm({ discovery: { status: 'error', url, endpoints: [], error: messageOf(err) } });
          return false;
        }
      },

      chooseEndpoint(endpoint) {
        const form = get().form;
        if (!form) return;
        patchForm({
          draft: applyEndpoint(form.draft, endpoint),
          errors: without(without(form.errors, 'security'), 'identity'),
        });
      },

      closeForm() {
        discoverRequest++;
        set({ form: null });
      },

      async save() {
        const form = get().form;
        if (!form || form.busy) return false;
        const editId = form.mode === 'edit' ? form.connectionId : null;
        const built = editId === null ? buildInput(form.draft, null) : buildInput(form.draft, editId);
        if (!built.ok) {
          patchForm({ errors: built.errors });
          return false;
        }
        patchForm({ busy: true, errors: {} });
        let status: ConnectionStatus;
        try {
          status =
            editId === null
              ? await client.call('addConnection', built.input)
              : await client.call('updateConnection', { ...built.input, id: editId });
        } catch (err) {
          // Everything typed stays in the form; the core's reasons go next to their fields.
          const issues = err instanceof VigilApiError ? err.error.issues : [];
          const errors = fieldErrors(issues);
          if (!Object.keys(errors).length || !issues.length) errors.form = messageOf(err);
          patchForm({ busy: false, errors });
          return false;
        }
        const name = built.input.name;
        set({
          form: null,
          focusedId: status.id,
          openId: status.id,
          notice:
            editId === null
              ? `Added "${name}": ${status.state}${status.lastError ? ` (${status.lastError})` : ''}`
              : `Saved "${name}": reconnecting with the new settings`,
        });
        refreshSoon();
        return true;
      },

      askRemove(id) {
        set((s) => ({ confirmRemove: id, errors: without(s.errors, id), notice: null }));
      },

      cancelRemove() {
        set({ confirmRemove: null });
      },

      async remove(id) {
        const name = nameOf(id);
        const ok = await onItem(
          id,
          'Removing…',
          () => client.call('removeConnection', { connectionId: id }),
          () => {
            set((s) => ({
              details: { ...s.details, data: s.details.data.filter((d) => d.status.id !== id) },
              openId: s.openId === id ? null : s.openId,
              browse: s.browse?.connectionId === id ? null : s.browse,
            }));
            return `Removed "${name}"; the history it recorded stays in the historian`;
          },
        );
        // On a refusal the confirmation stays open with the core's reason in it.
        if (ok) set({ confirmRemove: null });
        return ok;
      },

      trust(thumbprint) {
        return decide(thumbprint, 'trust');
      },

      reject(thumbprint) {
        return decide(thumbprint, 'reject');
      },

      openBrowse(id) {
        const details = get().details.data.find((d) => d.status.id === id);
        if (!details?.configured) {
          set((s) => ({
            errors: {
              ...s.errors,
              [id]: 'Tags can be added by browsing only on connections of the configuration file',
            },
          }));
          return;
        }
        set({ browse: { connectionId: id, name: details.name } });
      },

      closeBrowse() {
        set({ browse: null });
        refreshSoon(); // tags may have been added: new tag counts
      },
    };
  });
}
