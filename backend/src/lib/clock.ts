import { AsyncLocalStorage } from "node:async_hooks";

/** Injectable time source so tests can move the clock instead of waiting. */
export interface Clock {
  now(): Date;
  /** The time outside any pinned scope (see {@link pinnable}); absent = `now()`. */
  unpinnedNow?(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class ManualClock implements Clock {
  private offsetMs: number;
  constructor(start?: Date) {
    this.offsetMs = start ? start.getTime() - Date.now() : 0;
  }
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

const pinned = new AsyncLocalStorage<Date>();

/**
 * A clock that reads `at` instead of its source inside {@link withPinnedClock}: `/dev/jobs/{name}/run`
 * runs a scheduled job as if it were `at`, without touching the clock any other request sees.
 */
export function pinnable(source: Clock): Clock {
  return {
    now: () => {
      const at = pinned.getStore();
      return at ? new Date(at.getTime()) : source.now();
    },
    unpinnedNow: () => source.now(),
  };
}

export const withPinnedClock = <T>(at: Date, fn: () => Promise<T>): Promise<T> => pinned.run(at, fn);
