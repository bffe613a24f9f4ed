import type { Clock } from '../app/clock';
import type { Disposable } from '../app/disposable';

/**
 * Watches that every subscription keeps talking. A healthy subscription answers a Publish at least
 * once per keep-alive period (publishing interval x max keep-alive count) with data or an empty
 * keep-alive (OPC UA Part 4, 5.13.1.1); a socket that stays open while nothing arrives (a dropped NAT
 * flow, a hung server) shows up as silence here long before TCP or a request timeout notices.
 */
export class StallWatchdog implements Disposable {
  private heardAt: number[] = [];
  private timeoutMs: number[] = [];
  private active = false;
  private readonly timer: Disposable;

  constructor(
    private readonly clock: Clock,
    private readonly onStall: (subscription: number, silentForMs: number) => void,
    checkEveryMs = 250,
  ) {
    this.timer = clock.setInterval(() => this.check(), checkEveryMs);
  }

  /** Starts watching `timeouts.length` subscriptions, all counted as heard now. */
  watch(timeouts: readonly number[]): void {
    const now = this.clock.now();
    this.timeoutMs = [...timeouts];
    this.heardAt = timeouts.map(() => now);
    this.active = timeouts.length > 0;
  }

  heard(subscription: number): void {
    if (subscription < this.heardAt.length) this.heardAt[subscription] = this.clock.now();
  }

  /** While reconnecting nobody is expected to talk. */
  pause(): void {
    this.active = false;
  }

  resume(): void {
    const now = this.clock.now();
    this.heardAt = this.heardAt.map(() => now);
    this.active = this.heardAt.length > 0;
  }

  /** Silence of the quietest subscription so far (ms). */
  longestSilenceMs(): number {
    if (!this.active) return 0;
    const now = this.clock.now();
    return this.heardAt.reduce((max, at) => Math.max(max, now - at), 0);
  }

  private check(): void {
    if (!this.active) return;
    const now = this.clock.now();
    for (let i = 0; i < this.heardAt.length; i++) {
      const silent = now - this.heardAt[i]!;
      if (silent > this.timeoutMs[i]!) {
        // One report per stall: the owner reconnects and resumes the watch.
        this.active = false;
        this.onStall(i, silent);
        return;
      }
    }
  }

  dispose(): void {
    this.active = false;
    this.timer.dispose();
  }
}
