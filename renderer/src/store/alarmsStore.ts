import type { z } from 'zod';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { commands, type CommandInput, type StreamMessage } from '../../../shared/api';
import type {
  AlarmJournalEntry,
  AlarmKpis,
  AlarmView,
  FloodStatus,
  ShelveMode,
} from '../../../shared/alarms';
import {
  DEFAULT_SORT,
  NO_FILTERS,
  type AlarmFilters,
  type AlarmFormKind,
  type AlarmSort,
  type AlarmSortKey,
} from '../features/alarms/alarmModel';
import type { RendererClient } from '../transport/types';
import type { LoadStatus } from './appStore';

/**
 * The alarm queue's state: the alarms as the `alarms` stream reports them (a snapshot, then the
 * alarms that changed), the operator's view of them (focus, selection, sort, filters), the action
 * form that is open and what the core answered, the journal of the focused alarm and the KPIs.
 * Every rule (what may be acknowledged, shelving limits) is the core's: the store sends the
 * command, shows the answer, and validates input only against the contract's own schemas.
 */

export type AlarmsMessage = StreamMessage<'alarms'>;
export type AlarmsClient = Pick<RendererClient, 'call' | 'subscribe' | 'status'>;

export interface AlarmFeed {
  /** connecting: waiting for the snapshot; live: up to date; stale: link lost; error: the core ended the stream. */
  state: 'connecting' | 'live' | 'stale' | 'error';
  error: string | null;
  /** When the last message arrived (epoch ms). */
  updatedAt: number | null;
}

export interface AlarmForm {
  kind: AlarmFormKind;
  /** Fixed when the form opens, so a stream update cannot change what the operator confirms. */
  targets: string[];
}

export interface AlarmActionStatus {
  busy: boolean;
  /** What the core (or the contract) refused, shown next to the form. */
  error: string | null;
  /** What was done, for the status line. */
  notice: string | null;
}

export type KpiRange = '24h' | '7d';
export const KPI_RANGE_MS: Record<KpiRange, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000 };

export interface AlarmsState {
  feed: AlarmFeed;
  alarms: Readonly<Record<string, AlarmView>>;
  flood: FloodStatus | null;
  focusedId: string | null;
  selected: ReadonlySet<string>;
  sort: AlarmSort;
  filters: AlarmFilters;
  form: AlarmForm | null;
  action: AlarmActionStatus;
  journal: { alarmId: string | null; status: LoadStatus; entries: AlarmJournalEntry[]; error: string | null };
  kpis: { range: KpiRange; status: LoadStatus; data: AlarmKpis | null; error: string | null };
}

export interface ShelveRequest {
  mode: ShelveMode;
  durationMinutes?: number;
  reason: string;
}

export interface AlarmsActions {
  /** Subscribes to the stream and follows the link; returns the function that stops it. */
  start(): () => void;
  /** Subscribes again after the core ended the stream. */
  retryFeed(): void;
  applyMessage(message: AlarmsMessage): void;
  focus(id: string): void;
  toggleSelected(id: string): void;
  setSelection(ids: readonly string[]): void;
  clearSelection(): void;
  sortBy(key: AlarmSortKey): void;
  setFilters(patch: Partial<AlarmFilters>): void;
  openForm(kind: AlarmFormKind, targets: readonly string[]): void;
  closeForm(): void;
  /** The action commands resolve true when everything was done (the form then closes). */
  acknowledge(ids: readonly string[], comment: string): Promise<boolean>;
  shelve(ids: readonly string[], request: ShelveRequest): Promise<boolean>;
  comment(ids: readonly string[], text: string): Promise<boolean>;
  reset(ids: readonly string[], comment: string): Promise<boolean>;
  unshelve(ids: readonly string[], comment: string): Promise<boolean>;
  loadJournal(alarmId: string | null): Promise<void>;
  loadKpis(range?: KpiRange): Promise<void>;
}

export type AlarmsStore = StoreApi<AlarmsState & AlarmsActions>;

export const JOURNAL_ROWS = 50;

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The first problem the contract's schema finds in an input, in a sentence. */
export function contractProblem(schema: z.ZodType, input: unknown): string | null {
  const parsed = schema.safeParse(input);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  if (!issue) return 'Invalid input';
  const text = issue.message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function initialAlarmsState(): AlarmsState {
  return {
    feed: { state: 'connecting', error: null, updatedAt: null },
    alarms: {},
    flood: null,
    focusedId: null,
    selected: new Set(),
    sort: DEFAULT_SORT,
    filters: NO_FILTERS,
    form: null,
    action: { busy: false, error: null, notice: null },
    journal: { alarmId: null, status: 'idle', entries: [], error: null },
    kpis: { range: '24h', status: 'idle', data: null, error: null },
  };
}

/** An alarm in the normal state leaves the queue. */
function put(into: Record<string, AlarmView>, alarm: AlarmView): void {
  if (alarm.state === 'normal') delete into[alarm.id];
  else into[alarm.id] = alarm;
}

export function createAlarmsStore(client: AlarmsClient, options: { now?: () => number } = {}): AlarmsStore {
  const now = options.now ?? Date.now;
  let unsubscribe: (() => void) | null = null;
  let journalRequest = 0;
  let kpiRequest = 0;

  return createStore<AlarmsState & AlarmsActions>()((set, get) => {
    const subscribe = () => {
      unsubscribe?.();
      set({ feed: { state: 'connecting', error: null, updatedAt: get().feed.updatedAt } });
      unsubscribe = client.subscribe(
        'alarms',
        {},
        (message) => get().applyMessage(message),
        (error) => set((s) => ({ feed: { ...s.feed, state: 'error', error: error.message } })),
      );
    };

    /** Command answers are the alarm as it is now, unless the stream already said something newer. */
    const mergeAnswers = (views: readonly AlarmView[]) => {
      const alarms = { ...get().alarms };
      for (const view of views) {
        const known = alarms[view.id];
        if (known && (known.lastChangeAt ?? 0) > (view.lastChangeAt ?? 0)) continue;
        put(alarms, view);
      }
      set({ alarms });
    };

    const begin = () => set({ action: { busy: true, error: null, notice: null } });
    const fail = (error: string) => set({ action: { busy: false, error, notice: null } });

    /** Success: close the form, say what happened, refresh the journal if it shows a target. */
    const done = (ids: readonly string[], notice: string) => {
      set({ action: { busy: false, error: null, notice }, form: null });
      const { journal } = get();
      if (journal.alarmId !== null && ids.includes(journal.alarmId)) void get().loadJournal(journal.alarmId);
    };

    /**
     * Runs a one-alarm command for each target in turn. Targets that failed stay in the open form
     * with the core's reasons, so a retry does not repeat what already worked.
     */
    const eachTarget = async (
      ids: readonly string[],
      run: (id: string) => Promise<AlarmView>,
      notice: (count: number) => string,
    ): Promise<boolean> => {
      if (!ids.length) {
        fail('No alarm is selected');
        return false;
      }
      begin();
      const answers: AlarmView[] = [];
      const failures: { id: string; message: string }[] = [];
      for (const id of ids) {
        try {
          answers.push(await run(id));
        } catch (err) {
          failures.push({ id, message: messageOf(err) });
        }
      }
      mergeAnswers(answers);
      if (!failures.length) {
        done(ids, notice(answers.length));
        return true;
      }
      const error =
        ids.length === 1
          ? failures[0]!.message
          : `${failures.length} of ${ids.length} failed: ${failures.map((f) => f.message).join('; ')}`;
      set((s) => ({
        action: { busy: false, error, notice: answers.length ? notice(answers.length) : null },
        form: s.form ? { ...s.form, targets: failures.map((f) => f.id) } : null,
      }));
      return false;
    };

    const validated = <N extends keyof typeof commands>(name: N, input: CommandInput<N>): boolean => {
      const problem = contractProblem(commands[name].input, input);
      if (problem) fail(problem);
      return problem === null;
    };

    return {
      ...initialAlarmsState(),

      start() {
        subscribe();
        const stopFollowing = client.status.subscribe((status) => {
          const { feed } = get();
          if (status.state === 'open') {
            // The transport subscribes again by itself; a fresh snapshot is on its way.
            if (feed.state === 'stale') set({ feed: { ...feed, state: 'connecting', error: null } });
          } else if (feed.state !== 'error') {
            set({ feed: { ...feed, state: 'stale', error: status.lastError } });
          }
        });
        return () => {
          stopFollowing();
          unsubscribe?.();
          unsubscribe = null;
        };
      },

      retryFeed() {
        subscribe();
      },

      applyMessage(message) {
        const s = get();
        let alarms: Record<string, AlarmView>;
        if (message.snapshot) {
          alarms = {};
          for (const a of message.alarms) put(alarms, a);
        } else {
          alarms = { ...s.alarms };
          for (const a of message.alarms) put(alarms, a);
        }
        // Alarms that left the queue leave the selection too.
        const selected = [...s.selected].every((id) => id in alarms)
          ? s.selected
          : new Set([...s.selected].filter((id) => id in alarms));
        set({
          alarms,
          flood: message.flood,
          selected,
          feed: { state: 'live', error: null, updatedAt: now() },
        });
      },

      focus(id) {
        if (get().focusedId !== id) set({ focusedId: id });
      },

      toggleSelected(id) {
        const selected = new Set(get().selected);
        if (selected.has(id)) selected.delete(id);
        else selected.add(id);
        set({ selected });
      },

      setSelection(ids) {
        set({ selected: new Set(ids) });
      },

      clearSelection() {
        if (get().selected.size) set({ selected: new Set() });
      },

      sortBy(key) {
        const { sort } = get();
        set({
          sort: sort.key === key ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' },
        });
      },

      setFilters(patch) {
        set((s) => ({ filters: { ...s.filters, ...patch } }));
      },

      openForm(kind, targets) {
        if (!targets.length) {
          fail('Select an alarm first (arrow keys and Space, or click a row)');
          return;
        }
        set({ form: { kind, targets: [...targets] }, action: { busy: false, error: null, notice: null } });
      },

      closeForm() {
        set((s) => ({ form: null, action: { ...s.action, busy: false, error: null } }));
      },

      async acknowledge(ids, comment) {
        const input = { alarmIds: [...ids], comment: comment.trim() || undefined };
        if (!ids.length) {
          fail('No alarm is selected');
          return false;
        }
        if (!validated('acknowledgeAlarms', input)) return false;
        begin();
        try {
          // One call: the core acknowledges all of them or none.
          mergeAnswers(await client.call('acknowledgeAlarms', input));
        } catch (err) {
          fail(messageOf(err));
          return false;
        }
        done(ids, `Acknowledged ${plural(ids.length, 'alarm')}`);
        return true;
      },

      async shelve(ids, request) {
        const input = (alarmId: string) => ({
          alarmId,
          mode: request.mode,
          durationMinutes: request.mode === 'timed' ? request.durationMinutes : undefined,
          reason: request.reason,
        });
        if (ids.length && !validated('shelveAlarm', input(ids[0]!))) return false;
        const how =
          request.mode === 'timed' ? `for ${request.durationMinutes} min` : 'until it returns to normal';
        return eachTarget(
          ids,
          (id) => client.call('shelveAlarm', input(id)),
          (n) => `Shelved ${plural(n, 'alarm')} ${how}`,
        );
      },

      async comment(ids, text) {
        if (ids.length && !validated('commentAlarm', { alarmId: ids[0]!, comment: text })) return false;
        return eachTarget(
          ids,
          (id) => client.call('commentAlarm', { alarmId: id, comment: text }),
          (n) => `Comment added to ${plural(n, 'alarm')}`,
        );
      },

      async reset(ids, comment) {
        const c = comment.trim() || undefined;
        return eachTarget(
          ids,
          (id) => client.call('resetAlarm', { alarmId: id, comment: c }),
          (n) => `Reset ${plural(n, 'alarm')}`,
        );
      },

      async unshelve(ids, comment) {
        const c = comment.trim() || undefined;
        return eachTarget(
          ids,
          (id) => client.call('unshelveAlarm', { alarmId: id, comment: c }),
          (n) => `Unshelved ${plural(n, 'alarm')}`,
        );
      },

      async loadJournal(alarmId) {
        const request = ++journalRequest;
        if (alarmId === null) {
          set({ journal: { alarmId: null, status: 'idle', entries: [], error: null } });
          return;
        }
        set((s) => ({
          journal: {
            alarmId,
            status: 'loading',
            // Keep the rows while refreshing the same alarm: no flicker after each action.
            entries: s.journal.alarmId === alarmId ? s.journal.entries : [],
            error: null,
          },
        }));
        try {
          const entries = await client.call('queryAlarmJournal', { alarmId, limit: JOURNAL_ROWS });
          if (request !== journalRequest) return; // the operator moved on
          set({ journal: { alarmId, status: 'ready', entries, error: null } });
        } catch (err) {
          if (request !== journalRequest) return;
          set((s) => ({ journal: { ...s.journal, status: 'error', error: messageOf(err) } }));
        }
      },

      async loadKpis(range = get().kpis.range) {
        const request = ++kpiRequest;
        set((s) => ({
          kpis: {
            range,
            status: 'loading',
            data: s.kpis.range === range ? s.kpis.data : null,
            error: null,
          },
        }));
        const to = now();
        try {
          const data = await client.call('getAlarmKpis', { from: to - KPI_RANGE_MS[range], to });
          if (request !== kpiRequest) return;
          set({ kpis: { range, status: 'ready', data, error: null } });
        } catch (err) {
          if (request !== kpiRequest) return;
          set((s) => ({ kpis: { ...s.kpis, status: 'error', error: messageOf(err) } }));
        }
      },
    };
  });
}
