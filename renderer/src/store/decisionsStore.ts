import { createStore, type StoreApi } from 'zustand/vanilla';
import { commands, type CommandOutput, type StreamMessage } from '../../../shared/api';
import type { Recommendation, RejectionLabel, WorkOrder, WorkOrderStatus } from '../../../shared/maintenance';
import type { RendererClient } from '../transport/types';
import { contractProblem, messageOf } from './alarmsStore';
import type { LoadStatus } from './appStore';

/**
 * The maintenance decision queue: recommendations and work orders as listRecommendations /
 * listWorkOrders report them, kept current by the `decisions` stream (which sends only what
 * changed, so the lists are fetched again whenever the link comes back). Approve / reject / defer
 * and work-order status changes are the core's decisions; the store sends them and shows the answer.
 */

export type DecisionsMessage = StreamMessage<'decisions'>;
export type DecisionsClient = Pick<RendererClient, 'call' | 'subscribe' | 'status'>;
export type ExportFile = CommandOutput<'exportWorkOrders'>;

export type DecisionFormKind = 'approve' | 'reject' | 'defer';

export interface DecisionsState {
  status: LoadStatus;
  error: string | null;
  /** The stream is down (link lost or ended by the core): the lists may be out of date. */
  streamError: string | null;
  recommendations: Readonly<Record<string, Recommendation>>;
  workOrders: Readonly<Record<string, WorkOrder>>;
  /** The decision form that is open, on which recommendation. */
  form: { id: string; kind: DecisionFormKind } | null;
  /** A command in flight, per recommendation or work-order id. */
  pending: Readonly<Record<string, string>>;
  /** What the core refused, per recommendation or work-order id. */
  errors: Readonly<Record<string, string>>;
  notice: string | null;
  exporting: { format: 'csv' | 'json' | null; error: string | null };
}

export interface DecisionsActions {
  start(): () => void;
  load(): Promise<void>;
  applyMessage(message: DecisionsMessage): void;
  openForm(id: string, kind: DecisionFormKind): void;
  closeForm(): void;
  approve(id: string, options: { comment?: string; dueDate?: number }): Promise<boolean>;
  reject(id: string, options: { reason: string; label: RejectionLabel }): Promise<boolean>;
  defer(id: string, options: { until: number; comment?: string }): Promise<boolean>;
  setWorkOrderStatus(id: string, status: WorkOrderStatus, comment?: string): Promise<boolean>;
  /** The export file, or null when the core refused (the reason is in `exporting.error`). */
  exportWorkOrders(format: 'csv' | 'json'): Promise<ExportFile | null>;
}

export type DecisionsStore = StoreApi<DecisionsState & DecisionsActions>;

export function initialDecisionsState(): DecisionsState {
  return {
    status: 'idle',
    error: null,
    streamError: null,
    recommendations: {},
    workOrders: {},
    form: null,
    pending: {},
    errors: {},
    notice: null,
    exporting: { format: null, error: null },
  };
}

/** Adds items keeping, per id, the newest version (list answers and stream messages may cross). */
function mergeNewest<T extends { id: string; updatedAt: number }>(
  into: Readonly<Record<string, T>>,
  items: readonly T[],
): Record<string, T> {
  const out = { ...into };
  for (const item of items) {
    const known = out[item.id];
    if (!known || known.updatedAt <= item.updatedAt) out[item.id] = item;
  }
  return out;
}

function without<V>(record: Readonly<Record<string, V>>, id: string): Record<string, V> {
  const out = { ...record };
  delete out[id];
  return out;
}

export function createDecisionsStore(client: DecisionsClient): DecisionsStore {
  return createStore<DecisionsState & DecisionsActions>()((set, get) => {
    let loadRequest = 0;

    /** Runs one command on one item: marks it busy, records the core's refusal next to it. */
    const onItem = async <T>(
      id: string,
      verb: string,
      run: () => Promise<T>,
      apply: (result: T) => void,
      notice: string,
    ): Promise<boolean> => {
      set((s) => ({ pending: { ...s.pending, [id]: verb }, errors: without(s.errors, id), notice: null }));
      try {
        apply(await run());
      } catch (err) {
        set((s) => ({ pending: without(s.pending, id), errors: { ...s.errors, [id]: messageOf(err) } }));
        return false;
      }
      set((s) => ({
        pending: without(s.pending, id),
        notice,
        form: s.form?.id === id ? null : s.form,
      }));
      return true;
    };

    const refuse = (id: string, problem: string) => {
      set((s) => ({ errors: { ...s.errors, [id]: problem } }));
      return false;
    };

    const putRecommendation = (r: Recommendation) =>
      set((s) => ({ recommendations: mergeNewest(s.recommendations, [r]) }));

    return {
      ...initialDecisionsState(),

      start() {
        // Subscribe first, then list: a change between the two is not lost (merge keeps the newest).
        const unsubscribe = client.subscribe(
          'decisions',
          {},
          (message) => get().applyMessage(message),
          (error) => set({ streamError: `The decision updates stopped: ${error.message}` }),
        );
        void get().load();
        let wasOpen = client.status.get().state === 'open';
        const stopFollowing = client.status.subscribe((status) => {
          const open = status.state === 'open';
          if (open && !wasOpen) {
            set({ streamError: null });
            void get().load(); // the stream only sends changes: catch up on the gap
          } else if (!open && wasOpen) {
            set({ streamError: status.lastError ?? 'The link to the core is down' });
          }
          wasOpen = open;
        });
        return () => {
          stopFollowing();
          unsubscribe();
        };
      },

      async load() {
        const request = ++loadRequest;
        set({ status: 'loading', error: null });
        try {
          const [recommendations, workOrders] = await Promise.all([
            client.call('listRecommendations', {}),
            client.call('listWorkOrders', {}),
          ]);
          if (request !== loadRequest) return;
          set((s) => ({
            status: 'ready',
            recommendations: mergeNewest(s.recommendations, recommendations),
            workOrders: mergeNewest(s.workOrders, workOrders),
          }));
        } catch (err) {
          if (request !== loadRequest) return;
          set({ status: 'error', error: messageOf(err) });
        }
      },

      applyMessage(message) {
        set((s) => ({
          recommendations: mergeNewest(s.recommendations, message.recommendations),
          workOrders: mergeNewest(s.workOrders, message.workOrders),
        }));
      },

      openForm(id, kind) {
        set((s) => ({ form: { id, kind }, errors: without(s.errors, id), notice: null }));
      },

      closeForm() {
        set((s) => ({ form: null, errors: s.form ? without(s.errors, s.form.id) : s.errors }));
      },

      approve(id, options) {
        const input = {
          recommendationId: id,
          comment: options.comment?.trim() || undefined,
          dueDate: options.dueDate,
        };
        const problem = contractProblem(commands.approveRecommendation.input, input);
        if (problem) return Promise.resolve(refuse(id, problem));
        return onItem(
          id,
          'approve',
          () => client.call('approveRecommendation', input),
          ({ recommendation, workOrder }) => {
            putRecommendation(recommendation);
            set((s) => ({ workOrders: mergeNewest(s.workOrders, [workOrder]) }));
          },
          'Approved: work order created',
        );
      },

      reject(id, options) {
        const input = { recommendationId: id, reason: options.reason, label: options.label };
        const problem = contractProblem(commands.rejectRecommendation.input, input);
        if (problem) return Promise.resolve(refuse(id, problem));
        return onItem(
          id,
          'reject',
          () => client.call('rejectRecommendation', input),
          putRecommendation,
          'Rejected: the reason is kept to improve the models',
        );
      },

      defer(id, options) {
        const input = {
          recommendationId: id,
          until: options.until,
          comment: options.comment?.trim() || undefined,
        };
        const problem = Number.isFinite(options.until)
          ? contractProblem(commands.deferRecommendation.input, input)
          : 'Choose the date and time until which to defer';
        if (problem) return Promise.resolve(refuse(id, problem));
        return onItem(
          id,
          'defer',
          () => client.call('deferRecommendation', input),
          putRecommendation,
          'Deferred',
        );
      },

      setWorkOrderStatus(id, status, comment) {
        return onItem(
          id,
          'status',
          () =>
            client.call('updateWorkOrderStatus', {
              workOrderId: id,
              status,
              comment: comment?.trim() || undefined,
            }),
          (order) => set((s) => ({ workOrders: mergeNewest(s.workOrders, [order]) })),
          `Work order ${id}: ${status.replace('_', ' ')}`,
        );
      },

      async exportWorkOrders(format) {
        set({ exporting: { format, error: null } });
        try {
          const file = await client.call('exportWorkOrders', { format });
          set({ exporting: { format: null, error: null } });
          return file;
        } catch (err) {
          set({ exporting: { format: null, error: messageOf(err) } });
          return null;
        }
      },
    };
  });
}
