import type { Wallets } from "@skyriff/contracts";

/**
 * Per-process cache of wallet reads, kept exact by the ledger: every post NOTIFYs the owners it
 * touched (delivered at commit) and this cache drops them. While the LISTEN connection is down the
 * cache is off, and a read that overlapped any invalidation is not stored, so a cached wallet is
 * never older than the last commit this process has been told about.
 */
export class WalletCache {
  private readonly entries = new Map<string, { value: Wallets; until: number }>();
  private generation = 0;
  private live = false;

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 100_000,
  ) {}

  get(userId: string): Wallets | undefined {
    if (!this.live) return undefined;
    const hit = this.entries.get(userId);
    if (!hit || hit.until < Date.now()) return undefined;
    return hit.value;
  }

  /** Call before reading the database; pass the token to `set`. */
  begin(): number {
    return this.generation;
  }

  set(userId: string, value: Wallets, token: number): void {
    if (!this.live || token !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(userId, { value, until: Date.now() + this.ttlMs });
  }

  invalidate(userId: string): void {
    this.generation += 1;
    this.entries.delete(userId);
  }

  /** The invalidation feed (re)connected or dropped: forget everything. */
  reset(live: boolean): void {
    this.generation += 1;
    this.entries.clear();
    this.live = live;
  }
}
