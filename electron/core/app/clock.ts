import type { Disposable } from './disposable';

/** Time source injected everywhere time matters, so timers are deterministic in tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): Disposable;
  setInterval(fn: () => void, ms: number): Disposable;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(handle) };
  },
  setInterval(fn, ms) {
    const handle = setInterval(fn, ms);
    return { dispose: () => clearInterval(handle) };
  },
};

/** A clock moved by hand, for tests of timers, staleness, shelving and escalation. */
export class ManualClock implements Clock {
  private current: number;
  private timers: { at: number; fn: () => void; every: number | null; id: number }[] = [];
  private nextId = 1;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Disposable {
    return this.schedule(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): Disposable {
    return this.schedule(fn, ms, Math.max(1, ms));
  }

  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.current = next.at;
      if (next.every === null) this.timers.shift();
      else next.at += next.every;
      next.fn();
    }
    this.current = target;
  }

  private schedule(fn: () => void, ms: number, every: number | null): Disposable {
    const timer = { at: this.current + Math.max(0, ms), fn, every, id: this.nextId++ };
    this.timers.push(timer);
    return {
      dispose: () => {
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }
}
