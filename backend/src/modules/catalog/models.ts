import type { FastifyBaseLogger } from "fastify";
import {
  type CatalogEntry,
  type CatalogOverrides,
  type ModelSettings,
  resolveCatalog,
} from "../../config/models.js";
import type { Database, Db, Listener } from "../../db/client.js";
import type { ModelDef } from "../../vendors/types.js";
import { readVendorsDown } from "../generation/health-repository.js";
import { CATALOG_CHANNEL, readOverrides } from "./repository.js";

/**
 * The model catalog at runtime: the code defaults (config/models.ts, MODELS_DISABLED, the configured
 * vendors) overlaid with the admins' `model_settings` / `vendor_settings` rows. Reads are synchronous
 * on a snapshot, so no request ever waits for the database; the snapshot is re-read in the background.
 */
export interface ModelCatalog {
  /** Every model as this process last read it; `enabled` says which ones users may pick. */
  models(): readonly ModelDef[];
  /** A model by id, offered or not (a task keeps running on a model switched off after it started). */
  model(id: string): ModelDef | undefined;
  /** The models with what decides whether they are offered (the admin view). */
  entries(): readonly CatalogEntry[];
  /** Vendors a worker's circuit breaker found down: their models are not offered (issue 13 §6). */
  vendorsDown(): ReadonlySet<string>;
  /** The catalog that these admin settings give in this process (what a change would make of it). */
  resolve(overrides: CatalogOverrides): CatalogEntry[];
  /** Re-reads the settings; resolves once a read that began after this call is in the snapshot. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export interface CatalogTimings {
  /** Safety re-read while LISTEN is up (a NOTIFY already brings every change at once). */
  liveRefreshMs: number;
  /** Re-read while LISTEN is down: the longest a change takes to reach this process then. */
  fallbackRefreshMs: number;
}

const DEFAULT_TIMINGS: CatalogTimings = { liveRefreshMs: 30_000, fallbackRefreshMs: 2_000 };

/**
 * Loads the catalog (a failure here fails the boot), then keeps it fresh: a NOTIFY on `model_catalog`
 * (sent in the admin's transaction, delivered at commit) triggers a re-read at once, and a timer
 * re-reads every 30 s, every 2 s while the LISTEN connection is down.
 */
export async function startModelCatalog(
  database: Database,
  settings: ModelSettings,
  log: FastifyBaseLogger,
  timings: CatalogTimings = DEFAULT_TIMINGS,
): Promise<ModelCatalog> {
  const catalog = new RuntimeModelCatalog(database.db, settings, log, timings);
  await catalog.refresh();
  await catalog.listen(database);
  return catalog;
}

class RuntimeModelCatalog implements ModelCatalog {
  private snapshot: readonly CatalogEntry[] = [];
  private list: readonly ModelDef[] = [];
  private byId = new Map<string, ModelDef>();
  private down: ReadonlySet<string> = new Set();
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private listener: Listener | null = null;
  private timer: NodeJS.Timeout | null = null;
  private live = false;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly settings: ModelSettings,
    private readonly log: FastifyBaseLogger,
    private readonly timings: CatalogTimings,
  ) {
    this.apply(resolveCatalog(settings));
  }

  models(): readonly ModelDef[] {
    return this.list;
  }

  model(id: string): ModelDef | undefined {
    return this.byId.get(id);
  }

  entries(): readonly CatalogEntry[] {
    return this.snapshot;
  }

  vendorsDown(): ReadonlySet<string> {
    return this.down;
  }

  resolve(overrides: CatalogOverrides): CatalogEntry[] {
    return resolveCatalog(this.settings, overrides);
  }

  refresh(): Promise<void> {
    if (!this.running) {
      this.running = this.load().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // The read in flight may have started before the caller's commit: queue one more after it.
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.refresh();
      });
    return this.next;
  }

  async listen(database: Database): Promise<void> {
    this.listener = await database.listen(CATALOG_CHANNEL, {
      onMessage: () => this.refreshInBackground(),
      onReset: (live) => {
        this.live = live;
        // Back online: whatever was announced while the connection was down is read now.
        if (live) this.refreshInBackground();
        this.schedule();
      },
    });
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.listener?.close();
    await Promise.allSettled([this.running, this.next]);
  }

  private async load(): Promise<void> {
    const [overrides, down] = await Promise.all([readOverrides(this.db), readVendorsDown(this.db)]);
    if (!this.closed) this.apply(resolveCatalog(this.settings, overrides), down);
  }

  private apply(resolved: CatalogEntry[], down: ReadonlySet<string> = this.down): void {
    this.down = down;
    // A vendor found down takes its models off the offer; the admins' switches stay as they were.
    const entries = resolved.map((e) =>
      e.model.enabled && down.has(e.model.vendor)
        ? { ...e, model: Object.freeze({ ...e.model, enabled: false }) }
        : e,
    );
    this.snapshot = Object.freeze(entries);
    this.list = Object.freeze(entries.map((e) => e.model));
    this.byId = new Map(this.list.map((m) => [m.id, m]));
  }

  private refreshInBackground(): void {
    if (this.closed) return;
    this.refresh().catch((err) =>
      this.log.warn({ err }, "could not re-read the model catalog; keeping the last one"),
    );
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.closed) return;
    const delay = this.live ? this.timings.liveRefreshMs : this.timings.fallbackRefreshMs;
    this.timer = setTimeout(() => {
      this.refreshInBackground();
      this.schedule();
    }, delay);
    this.timer.unref();
  }
}
