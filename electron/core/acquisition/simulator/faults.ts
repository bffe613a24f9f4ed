import { StatusCode, StatusCodes } from 'node-opcua';
import type { Clock } from '../../app/clock';

/**
 * Turns what a caller passes as a status (a StatusCode, its name such as "BadSensorFailure", or its
 * 32-bit value) into a StatusCode, refusing Good ones: a fault that injects Good is a mistake.
 */
export function badStatus(status: StatusCode | string | number): StatusCode {
  let code: StatusCode | undefined;
  if (status instanceof StatusCode) code = status;
  else if (typeof status === 'string')
    code = (StatusCodes as unknown as Record<string, StatusCode | undefined>)[status];
  else if (Number.isInteger(status)) {
    code = Object.values(StatusCodes).find(
      (c): c is StatusCode => c instanceof StatusCode && c.value === status,
    );
  }
  if (!code) throw new RangeError(`Unknown OPC UA status code ${JSON.stringify(status)}`);
  if (code.isGood()) {
    throw new RangeError(
      `${code.name} is Good; inject a Bad or Uncertain status (clearBadQuality restores Good)`,
    );
  }
  return code;
}

interface QualityOverride {
  status: StatusCode;
  /** Identifies the setBadQuality call, so its timer clears only what it set. */
  token: number;
}

/**
 * The data-path faults the simulator can inject, checked by every value write: a publishing stall
 * (values are not set on the server, so subscriptions see only keep-alives) and status overrides
 * (values carry a Bad or Uncertain status instead of Good).
 */
export class FaultGate {
  private stalledUntil = 0;
  private stallKeepsHistory = true;
  private all: QualityOverride | null = null;
  private readonly perTag = new Map<string, QualityOverride>();
  private nextToken = 1;

  constructor(private readonly clock: Clock) {}

  /** Stalls publication until `ms` from now (extends, never shortens, a stall in progress). */
  stall(ms: number, keepHistory: boolean): void {
    this.stalledUntil = Math.max(this.stalledUntil, this.clock.now() + ms);
    this.stallKeepsHistory = keepHistory;
  }

  endStall(): void {
    this.stalledUntil = 0;
  }

  get stalled(): boolean {
    return this.clock.now() < this.stalledUntil;
  }

  /** Whether values produced during the stall still go into the history (true unless asked otherwise). */
  get historizeWhileStalled(): boolean {
    return this.stallKeepsHistory;
  }

  /** When the current stall ends (epoch ms), or null. */
  get stallEndsAt(): number | null {
    return this.stalled ? this.stalledUntil : null;
  }

  /** Overrides the status of `nodeIds` (or of every tag); returns a token for clearQuality. */
  setQuality(nodeIds: readonly string[] | 'all', status: StatusCode): number {
    const token = this.nextToken++;
    if (nodeIds === 'all') this.all = { status, token };
    else for (const id of nodeIds) this.perTag.set(id, { status, token });
    return token;
  }

  /**
   * Restores Good for `nodeIds` (every override when 'all'). With a token, only overrides set by
   * that call are cleared, so a later setQuality on the same tags outlives an earlier timer.
   */
  clearQuality(nodeIds: readonly string[] | 'all', token?: number): void {
    const matches = (o: QualityOverride | null | undefined) =>
      !!o && (token === undefined || o.token === token);
    if (nodeIds === 'all') {
      if (token === undefined) this.perTag.clear();
      else for (const [id, o] of this.perTag) if (o.token === token) this.perTag.delete(id);
      if (matches(this.all)) this.all = null;
      return;
    }
    for (const id of nodeIds) if (matches(this.perTag.get(id))) this.perTag.delete(id);
  }

  /** The status a value of `nodeId` is written with now. */
  statusFor(nodeId: string): StatusCode {
    if (this.perTag.size > 0) {
      const override = this.perTag.get(nodeId);
      if (override) return override.status;
    }
    return this.all?.status ?? StatusCodes.Good;
  }

  /** Tags with an override ('all' when every tag has one). */
  get badQualityTags(): string[] | 'all' {
    return this.all ? 'all' : [...this.perTag.keys()];
  }
}
