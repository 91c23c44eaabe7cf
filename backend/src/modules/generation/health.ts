import type { FastifyBaseLogger } from "fastify";
import CircuitBreaker from "opossum";
import type { Db } from "../../db/client.js";
import { VendorError, type VendorName, type VideoVendor } from "../../vendors/types.js";
import type { ModelCatalog } from "../catalog/models.js";
import { writeVendorHealth } from "./health-repository.js";

/**
 * Per-vendor health in the worker (issue 13 §6): every vendor call goes through the vendor's circuit
 * breaker (opossum), which keeps its error rate and latency over a rolling window. When a breaker opens,
 * the vendor is recorded as down in `vendor_health` and every process's catalog stops offering its
 * models (NOTIFY `model_catalog`); the row expires unless a failing probe renews it, so a worker that
 * died with an open breaker cannot hide a vendor for good.
 */
export interface VendorHealthOptions {
  /** Error rate (%) over the window above which the breaker opens. */
  errorThresholdPercentage: number;
  /** Calls in the window before the error rate counts. */
  volumeThreshold: number;
  /** How long an open breaker waits before it lets one trial call through (half-open). */
  resetTimeoutMs: number;
  rollingWindowMs: number;
  /** How long a `down` row counts without being renewed. */
  downTtlMs: number;
}

export const DEFAULT_HEALTH_OPTIONS: VendorHealthOptions = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 30_000,
  rollingWindowMs: 60_000,
  downTtlMs: 3 * 60_000,
};

/** A vendor task id no vendor has: a probe only asks whether the vendor answers at all. */
const PROBE_TASK_ID = "skyriff-health-probe";

/** The vendor's breaker is open: nothing was sent. */
export class VendorDown extends Error {
  constructor(readonly vendor: string) {
    super(`vendor ${vendor} is down (circuit open)`);
    this.name = "VendorDown";
  }
}

export interface VendorHealthReport {
  state: "closed" | "open" | "half_open";
  calls: number;
  failures: number;
  error_rate_percent: number;
  latency_mean_ms: number;
  latency_p95_ms: number;
}

type Action = () => Promise<unknown>;

export class VendorHealth {
  private readonly breakers = new Map<string, CircuitBreaker<[Action], unknown>>();
  private writes: Promise<void> = Promise.resolve();
  private readonly lastDownWrite = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly catalog: ModelCatalog,
    private readonly log: FastifyBaseLogger,
    private readonly options: VendorHealthOptions = DEFAULT_HEALTH_OPTIONS,
  ) {}

  /**
   * Runs one call to `vendor` through its breaker. A refusal (`rejected`) is an answer, so it does not
   * count against the vendor. Throws VendorDown when the breaker is open; a call refused while a
   * half-open trial is in flight is a transient VendorError (retry later).
   */
  async call<T>(vendor: VendorName, action: () => Promise<T>): Promise<T> {
    const breaker = this.breaker(vendor);
    if (breaker.opened) throw new VendorDown(vendor);
    try {
      return (await breaker.fire(action)) as T;
    } catch (err) {
      if ((err as { code?: string }).code === "EOPENBREAKER") {
        throw new VendorError("transient", `vendor ${vendor} is being probed`, 5_000);
      }
      throw err;
    } finally {
      // A call that opened the breaker returns once every process has been told.
      await this.writes;
    }
  }

  /**
   * A call that must go out whatever the breaker says (a poll or a lookup of a task the vendor already
   * has: holding it back would only delay that task). Counted like any call while the breaker is
   * closed; while it is open, an answer proves the vendor is back and closes it, and a failure keeps
   * the vendor's `down` record from expiring.
   */
  async observe<T>(vendor: VendorName, action: () => Promise<T>): Promise<T> {
    const breaker = this.breaker(vendor);
    if (!breaker.opened && !breaker.halfOpen) return this.call(vendor, action);
    try {
      const result = await action();
      breaker.close();
      return result;
    } catch (err) {
      if (err instanceof VendorError && err.kind === "rejected") breaker.close();
      else if (breaker.opened) this.renewDown(vendor);
      throw err;
    } finally {
      await this.writes;
    }
  }

  /** The breaker is open: a submit now would not be sent. */
  isDown(vendor: string): boolean {
    return this.breakers.get(vendor)?.opened ?? false;
  }

  /** Forces the breaker open (an operator, a test) or closed again; recorded like a real trip. */
  trip(vendor: VendorName): Promise<void> {
    this.breaker(vendor).open();
    return this.writes;
  }

  reset(vendor: VendorName): Promise<void> {
    this.breaker(vendor).close();
    return this.writes;
  }

  /** Half-open breakers get their trial call now (from the poll sweep), even with no task to poll. */
  async probe(vendors: ReadonlyMap<VendorName, VideoVendor>): Promise<void> {
    const trials = [...this.breakers.entries()]
      .filter(([, b]) => b.halfOpen)
      .map(([name]) => {
        const vendor = vendors.get(name as VendorName);
        return vendor
          ? this.observe(vendor.name, () => vendor.get(PROBE_TASK_ID)).catch(() => undefined)
          : null;
      });
    await Promise.all(trials);
  }

  /** Per vendor that has been called in this process: its breaker, error rate and latency. */
  report(): Record<string, VendorHealthReport> {
    const out: Record<string, VendorHealthReport> = {};
    for (const [name, b] of this.breakers) {
      const s = b.stats;
      out[name] = {
        state: b.opened ? "open" : b.halfOpen ? "half_open" : "closed",
        calls: s.fires,
        failures: s.failures,
        error_rate_percent: s.fires > 0 ? Math.round((s.failures * 100) / s.fires) : 0,
        latency_mean_ms: Math.round(s.latencyMean || 0),
        latency_p95_ms: Math.round(s.percentiles[0.95] ?? 0),
      };
    }
    return out;
  }

  close(): void {
    for (const b of this.breakers.values()) b.shutdown();
  }

  private breaker(vendor: string): CircuitBreaker<[Action], unknown> {
    let breaker = this.breakers.get(vendor);
    if (breaker) return breaker;
    const o = this.options;
    breaker = new CircuitBreaker((action: Action) => action(), {
      name: vendor,
      // The adapters time their own HTTP calls; a second timer here would cut creates into `unanswered`.
      timeout: false,
      errorThresholdPercentage: o.errorThresholdPercentage,
      volumeThreshold: o.volumeThreshold,
      resetTimeout: o.resetTimeoutMs,
      rollingCountTimeout: o.rollingWindowMs,
      rollingCountBuckets: 6,
      errorFilter: (err: unknown) => err instanceof VendorError && err.kind === "rejected",
    });
    breaker.on("open", () => this.record(vendor, true, "circuit open"));
    breaker.on("close", () => this.record(vendor, false, null));
    this.breakers.set(vendor, breaker);
    return breaker;
  }

  private renewDown(vendor: string): void {
    const last = this.lastDownWrite.get(vendor) ?? 0;
    if (Date.now() - last > this.options.downTtlMs / 3) this.record(vendor, true, "circuit open");
  }

  private record(vendor: string, down: boolean, reason: string | null): void {
    if (down) this.lastDownWrite.set(vendor, Date.now());
    if (down) this.log.warn({ vendor }, "vendor circuit opened: its models are no longer offered");
    else this.log.info({ vendor }, "vendor circuit closed: its models are offered again");
    this.writes = this.writes
      .then(() => writeVendorHealth(this.db, vendor, down, reason, this.options.downTtlMs))
      .then(() => this.catalog.refresh())
      .catch((err) => this.log.warn({ err, vendor }, "could not record the vendor's health"));
  }
}
