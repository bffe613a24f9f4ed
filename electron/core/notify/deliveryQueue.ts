import { randomUUID } from 'node:crypto';
import { CoreError } from '../app/api';
import type { Clock } from '../app/clock';
import type { Disposable } from '../app/disposable';
import { DeliveryError, type NotificationChannel } from './channels';
import type { DeliveryRecord, DeliveryStatus, NotificationMessage, RetryPolicy } from './schemas';

export interface DeliveryQueueOptions {
  clock: Clock;
  channels: ReadonlyMap<string, NotificationChannel>;
  retry: RetryPolicy;
  concurrencyPerChannel?: number;
  /** Finished (delivered / suppressed) records kept for the delivery list. */
  historyLimit?: number;
  /** Failed records kept for the failed-deliveries list; the oldest go first (and are counted). */
  failedLimit?: number;
  newId?: () => string;
  /** Called after every status change (for the delivery stream and the audit trail). */
  onChange?: (record: DeliveryRecord) => void;
}

interface Entry {
  record: DeliveryRecord;
  timer: Disposable | null;
}

/**
 * Delivers notifications without ever blocking the caller: enqueue() only records the delivery and
 * starts an asynchronous send. Failed sends are retried with exponential backoff (capped), on the
 * injected clock; what fails for good stays in the failed list, from which it can be retried.
 */
export class DeliveryQueue implements Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, Entry[]>();
  private readonly sends = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly historyLimit: number;
  private readonly failedLimit: number;
  private readonly newId: () => string;
  private disposed = false;
  private droppedFailed = 0;

  constructor(private readonly options: DeliveryQueueOptions) {
    this.concurrency = options.concurrencyPerChannel ?? 2;
    this.historyLimit = options.historyLimit ?? 1000;
    this.failedLimit = options.failedLimit ?? 1000;
    this.newId = options.newId ?? randomUUID;
  }

  /** Records a delivery and starts sending it. Never throws: an unknown channel is a failed delivery. */
  enqueue(channelId: string, message: NotificationMessage): DeliveryRecord {
    const channel = this.options.channels.get(channelId);
    const entry = this.add(channelId, channel?.type ?? 'unknown', message, 'pending', null);
    if (!channel) {
      this.finish(entry, 'failed', `No notification channel "${channelId}"`);
    } else {
      this.start(entry);
    }
    return { ...entry.record };
  }

  /** Records a delivery that is deliberately not sent (quiet hours), so nothing disappears unseen. */
  suppress(channelId: string, message: NotificationMessage, reason: string): DeliveryRecord {
    const channel = this.options.channels.get(channelId);
    const entry = this.add(channelId, channel?.type ?? 'unknown', message, 'suppressed', reason);
    this.changed(entry);
    this.trim();
    return { ...entry.record };
  }

  list(filter: { status?: DeliveryStatus; limit?: number } = {}): DeliveryRecord[] {
    const out: DeliveryRecord[] = [];
    for (const { record } of this.entries.values()) {
      if (filter.status === undefined || record.status === filter.status) out.push({ ...record });
    }
    out.sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));
    return filter.limit === undefined ? out : out.slice(0, filter.limit);
  }

  failed(): DeliveryRecord[] {
    return this.list({ status: 'failed' });
  }

  get(id: string): DeliveryRecord | undefined {
    const e = this.entries.get(id);
    return e ? { ...e.record } : undefined;
  }

  /** Sends a failed delivery again (e.g. after fixing the webhook URL or the mail server). */
  retry(id: string, actor: string): DeliveryRecord {
    const entry = this.entries.get(id);
    if (!entry) throw new CoreError('not_found', `No delivery with id "${id}"`);
    if (entry.record.status !== 'failed') {
      throw new CoreError(
        'invalid_input',
        `Delivery "${id}" is ${entry.record.status}; only a failed delivery can be retried`,
      );
    }
    if (!this.options.channels.has(entry.record.channelId)) {
      throw new CoreError('invalid_input', `Channel "${entry.record.channelId}" no longer exists`);
    }
    entry.record.status = 'pending';
    entry.record.attempts = 0;
    entry.record.reason = null;
    entry.record.retriedBy = actor;
    entry.record.retriedAt = this.options.clock.now();
    this.changed(entry);
    this.start(entry);
    return { ...entry.record };
  }

  stats(): { pending: number; inFlight: number; failed: number; droppedFailed: number } {
    let pending = 0;
    let failed = 0;
    for (const { record } of this.entries.values()) {
      if (record.status === 'pending') pending++;
      else if (record.status === 'failed') failed++;
    }
    let inFlight = 0;
    for (const n of this.inFlight.values()) inFlight += n;
    return { pending, inFlight, failed, droppedFailed: this.droppedFailed };
  }

  /** Resolves once no send is in flight (retries waiting for their timer do not count). */
  async idle(): Promise<void> {
    while (this.sends.size) await Promise.allSettled([...this.sends]);
  }

  /** Stops retry timers and waits (bounded) for sends in flight; pending deliveries stay listed as pending. */
  async dispose(timeoutMs = 5_000): Promise<void> {
    this.disposed = true;
    for (const e of this.entries.values()) {
      e.timer?.dispose();
      e.timer = null;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    await Promise.allSettled([...this.options.channels.values()].map(async (c) => c.close?.()));
  }

  private add(
    channelId: string,
    channelType: string,
    message: NotificationMessage,
    status: DeliveryStatus,
    reason: string | null,
  ): Entry {
    const record: DeliveryRecord = {
      id: this.newId(),
      channelId,
      channelType,
      status,
      attempts: 0,
      createdAt: this.options.clock.now(),
      lastAttemptAt: null,
      nextAttemptAt: null,
      deliveredAt: null,
      lastError: null,
      reason,
      retriedBy: null,
      retriedAt: null,
      message,
    };
    const entry = { record, timer: null };
    this.entries.set(record.id, entry);
    return entry;
  }

  private start(entry: Entry): void {
    if (this.disposed) return;
    const channelId = entry.record.channelId;
    const busy = this.inFlight.get(channelId) ?? 0;
    if (busy >= this.concurrency) {
      const queue = this.waiting.get(channelId) ?? [];
      queue.push(entry);
      this.waiting.set(channelId, queue);
      return;
    }
    const channel = this.options.channels.get(channelId)!;
    this.inFlight.set(channelId, busy + 1);
    const record = entry.record;
    record.attempts++;
    record.lastAttemptAt = this.options.clock.now();
    record.nextAttemptAt = null;
    let sending: Promise<void>;
    try {
      sending = channel.send(record.message);
    } catch (err) {
      sending = Promise.reject(err);
    }
    const done = sending.then(
      () => this.finish(entry, 'delivered', null),
      (err: unknown) => this.failedAttempt(entry, err),
    );
    const tracked = done.finally(() => {
      this.sends.delete(tracked);
      this.inFlight.set(channelId, (this.inFlight.get(channelId) ?? 1) - 1);
      const next = this.waiting.get(channelId)?.shift();
      if (next) this.start(next);
    });
    this.sends.add(tracked);
  }

  private failedAttempt(entry: Entry, err: unknown): void {
    const record = entry.record;
    const message = err instanceof Error ? err.message : String(err);
    record.lastError = message;
    const permanent = err instanceof DeliveryError && err.permanent;
    const { maxAttempts, initialDelayMs, maxDelayMs, factor } = this.options.retry;
    if (permanent || record.attempts >= maxAttempts) {
      this.finish(
        entry,
        'failed',
        permanent ? `Refused by the receiver: ${message}` : `Gave up after ${record.attempts} attempts`,
      );
      return;
    }
    if (this.disposed) {
      this.changed(entry);
      return;
    }
    // Exponential backoff: initial, initial*factor, ... capped; a Retry-After from the receiver wins if longer.
    let delay = Math.min(maxDelayMs, initialDelayMs * factor ** (record.attempts - 1));
    if (err instanceof DeliveryError && err.retryAfterMs !== null)
      delay = Math.min(maxDelayMs, Math.max(delay, err.retryAfterMs));
    record.nextAttemptAt = this.options.clock.now() + delay;
    entry.timer = this.options.clock.setTimeout(() => {
      entry.timer = null;
      this.start(entry);
    }, delay);
    this.changed(entry);
  }

  private finish(entry: Entry, status: 'delivered' | 'failed', reason: string | null): void {
    entry.record.status = status;
    entry.record.reason = reason;
    entry.record.nextAttemptAt = null;
    if (status === 'delivered') {
      entry.record.deliveredAt = this.options.clock.now();
      entry.record.lastError = null;
    }
    this.changed(entry);
    this.trim();
  }

  private changed(entry: Entry): void {
    try {
      this.options.onChange?.({ ...entry.record });
    } catch {
      // A listener's problem must not stop deliveries.
    }
  }

  /** Keeps the history bounded: oldest finished records go first; pending ones are never dropped. */
  private trim(): void {
    let finished = 0;
    let failed = 0;
    for (const { record } of this.entries.values()) {
      if (record.status === 'delivered' || record.status === 'suppressed') finished++;
      else if (record.status === 'failed') failed++;
    }
    if (finished <= this.historyLimit && failed <= this.failedLimit) return;
    for (const [id, { record }] of this.entries) {
      if (finished > this.historyLimit && (record.status === 'delivered' || record.status === 'suppressed')) {
        this.entries.delete(id);
        finished--;
      } else if (failed > this.failedLimit && record.status === 'failed') {
        this.entries.delete(id);
        failed--;
        this.droppedFailed++;
      }
      if (finished <= this.historyLimit && failed <= this.failedLimit) break;
    }
  }
}
