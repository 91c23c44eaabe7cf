import type { SessionState } from "./repository.js";

/**
 * Per-process memo of session + user status checks, so an authenticated read costs no extra query
 * most of the time. Entries live `ttlMs`; a revocation in this process is forgotten at once, one in
 * another process is seen within `ttlMs`.
 */
export class SessionCache {
  private readonly entries = new Map<string, { state: SessionState | null; until: number }>();

  constructor(
    private readonly ttlMs = 2000,
    private readonly maxEntries = 50_000,
  ) {}

  get(sessionId: string): SessionState | null | undefined {
    const hit = this.entries.get(sessionId);
    if (!hit) return undefined;
    if (hit.until < Date.now()) {
      this.entries.delete(sessionId);
      return undefined;
    }
    return hit.state;
  }

  set(sessionId: string, state: SessionState | null): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(sessionId, { state, until: Date.now() + this.ttlMs });
  }

  forget(sessionId: string): void {
    this.entries.delete(sessionId);
  }
}
