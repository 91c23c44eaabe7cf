import {
  type AdminModel,
  type AdminProduct,
  type adminModelPatch,
  type adminProductPatch,
  ErrorCode,
} from "@skyriff/contracts";
import type { z } from "zod";
import { type CatalogEntry, type CatalogOverrides, modelDefaults } from "../../config/models.js";
import type { AppContext } from "../../context.js";
import { AppError, notFound } from "../../lib/errors.js";
import { formatCny, formatCoins, parseCoins } from "../../lib/money.js";
import type { ModelDef } from "../../vendors/types.js";
import * as repo from "../catalog/repository.js";
import { type AdminActor, audit } from "./audit.js";

/** The catalog at runtime (SPEC §7): products and the model catalog, edited by an admin. */

type ProductPatch = z.infer<typeof adminProductPatch>;
type ModelPatch = z.infer<typeof adminModelPatch>;

const invalid = (fields: Record<string, string>) => new AppError(ErrorCode.VALIDATION, { fields });
const NOTHING_TO_CHANGE = { body: "nothing to change" };

// --- products ---

export function presentProduct(p: repo.ProductRow): AdminProduct {
  return {
    product_id: p.id,
    type: p.type,
    name: p.name,
    price_cny: formatCny(p.priceFen),
    credits_amount: p.creditsAmount,
    coins_amount: formatCoins(p.coinsMilli),
    duration_days: p.durationDays,
    description: p.description,
    active: p.active,
    sort: p.sortOrder,
  };
}

export async function listProducts(ctx: AppContext): Promise<AdminProduct[]> {
  return (await repo.listAllProducts(ctx.db)).map(presentProduct);
}

/**
 * Edits a product: `/products` and every new payment see it at once (they read the table; an open
 * payment keeps the snapshot it was created with).
 */
export async function updateProduct(
  ctx: AppContext,
  actor: AdminActor,
  productId: string,
  patch: ProductPatch,
): Promise<AdminProduct> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const before = await repo.lockProduct(tx, productId);
    if (!before) throw notFound("product");
    const change = productChange(before, patch, ctx.economy.RECHARGE_DAILY_LIMIT_FEN);
    const after = await repo.updateProduct(tx, productId, change);
    audit(
      tx,
      actor,
      {
        action: "product.update",
        targetType: "product",
        targetId: productId,
        before: presentProduct(before),
        after: presentProduct(after),
      },
      now,
    );
    return presentProduct(after);
  });
}

/**
 * What a patch changes, or 422: a price from ¥0.01 up to the daily top-up limit (a dearer product could
 * never be bought), and only the amount the product's type grants (credits for a credit pack, coins for
 * a coin pack; the monthly card and the promoter activation grant what the economy config says).
 */
export function productChange(
  product: repo.ProductRow,
  patch: ProductPatch,
  maxFen: number,
): repo.ProductChange {
  const fields: Record<string, string> = {};
  const change: repo.ProductChange = {};
  if (patch.name !== undefined) change.name = patch.name;
  if (patch.active !== undefined) change.active = patch.active;
  if (patch.price_cny !== undefined) {
    const fen = fenOf(patch.price_cny);
    if (fen < 1n || fen > BigInt(maxFen)) fields.price_cny = `from 0.01 to ${formatCny(maxFen)}`;
    else change.priceFen = Number(fen);
  }
  if (patch.credits_amount !== undefined) {
    if (product.type !== "credits_pack") fields.credits_amount = `not granted by ${product.type} products`;
    else if (patch.credits_amount < 1) fields.credits_amount = "at least 1";
    else change.creditsAmount = patch.credits_amount;
  }
  if (patch.coins_amount !== undefined) {
    const milli = parseCoins(patch.coins_amount);
    if (product.type !== "coins_pack") fields.coins_amount = `not granted by ${product.type} products`;
    else if (milli < 10n) fields.coins_amount = "at least 0.01";
    else change.coinsMilli = milli;
  }
  if (Object.keys(fields).length > 0) throw invalid(fields);
  if (Object.keys(change).length === 0) throw invalid(NOTHING_TO_CHANGE);
  return change;
}

/** "6.00" → 600n (the contract's `cnyAmount`: digits, a point, two decimals). */
function fenOf(cny: string): bigint {
  const [whole = "0", cents = "00"] = cny.split(".");
  return BigInt(whole) * 100n + BigInt(cents);
}

// --- models ---

/**
 * A model as the console shows it. `switched_on` is what the admins' switches say: the model's own and
 * its vendor's; `enabled` also needs the vendor's credentials and the model not in MODELS_DISABLED.
 */
export function presentModel(e: CatalogEntry): AdminModel {
  const m = e.model;
  return {
    id: m.id,
    name: m.name,
    vendor: m.vendor,
    enabled: m.enabled,
    switched_on: e.switchedOn && e.vendorSwitchedOn,
    vendor_configured: e.vendorConfigured,
    durations: m.durations,
    ratios: m.ratios,
    image_to_video: m.imageToVideo,
    credits_per_second: m.creditsPerSecond,
    timeout_minutes: m.timeoutMinutes,
    updated_at: e.updatedAt?.toISOString() ?? null,
  };
}

/** The audit view of a model: the console's, plus each switch on its own. */
const auditedModel = (e: CatalogEntry) => ({
  ...presentModel(e),
  model_switched_on: e.switchedOn,
  vendor_switched_on: e.vendorSwitchedOn,
  disabled_by_env: e.disabledByEnv,
});

/** Every model as the database has it now (re-read, so another process's change is in it too). */
export async function listModels(ctx: AppContext): Promise<AdminModel[]> {
  await ctx.catalog.refresh();
  return ctx.catalog.entries().map(presentModel);
}

/**
 * Changes one model (its own switch, price, durations, ratios, timeout). Tasks already accepted keep the
 * cost and timeout they were created with; every process sees the change within moments (NOTIFY), this
 * one before the answer leaves.
 */
export async function updateModel(
  ctx: AppContext,
  actor: AdminActor,
  modelId: string,
  patch: ModelPatch,
): Promise<AdminModel> {
  const defaults = modelDefaults().find((m) => m.id === modelId);
  if (!defaults) throw notFound("model");
  const change = modelChange(defaults, patch);
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await repo.lockCatalogTarget(tx, `model:${modelId}`);
    const overrides = await repo.readOverrides(tx);
    const before = entryOf(ctx.catalog.resolve(overrides), modelId);
    await repo.upsertModelSettings(tx, modelId, change, actor.userId, now);
    const after = entryOf(ctx.catalog.resolve(withModelChange(overrides, modelId, change, now)), modelId);
    audit(
      tx,
      actor,
      {
        action: "model.update",
        targetType: "model",
        targetId: modelId,
        before: auditedModel(before),
        after: auditedModel(after),
      },
      now,
    );
    repo.notifyCatalogChanged(tx);
  });
  await ctx.catalog.refresh();
  return presentModel(entryOf(ctx.catalog.entries(), modelId));
}

/**
 * What a patch changes, or 422: durations and ratios only among what the vendor's adapter can do (the
 * code defaults): an admin narrows them, widening them needs code.
 */
export function modelChange(
  defaults: Omit<ModelDef, "enabled">,
  patch: ModelPatch,
): repo.ModelSettingsChange {
  const fields: Record<string, string> = {};
  const change: repo.ModelSettingsChange = {};
  if (patch.switched_on !== undefined) change.switchedOn = patch.switched_on;
  if (patch.credits_per_second !== undefined) change.creditsPerSecond = patch.credits_per_second;
  if (patch.timeout_minutes !== undefined) change.timeoutMinutes = patch.timeout_minutes;
  if (patch.durations !== undefined) {
    const picked = subsetOf(defaults.durations, patch.durations);
    if (picked) change.durations = picked;
    else fields.durations = `allowed: ${defaults.durations.join(", ")}`;
  }
  if (patch.ratios !== undefined) {
    const picked = subsetOf<string>(defaults.ratios, patch.ratios);
    if (picked) change.ratios = picked;
    else fields.ratios = `allowed: ${defaults.ratios.join(", ")}`;
  }
  if (Object.keys(fields).length > 0) throw invalid(fields);
  if (Object.keys(change).length === 0) throw invalid(NOTHING_TO_CHANGE);
  return change;
}

/** `chosen` in the order of `supported`, without repeats; null when it holds anything else. */
function subsetOf<T>(supported: readonly T[], chosen: readonly T[]): T[] | null {
  if (!chosen.every((v) => supported.includes(v))) return null;
  return supported.filter((v) => chosen.includes(v));
}

function withModelChange(
  overrides: CatalogOverrides,
  modelId: string,
  change: repo.ModelSettingsChange,
  at: Date,
): CatalogOverrides {
  const models = new Map(overrides.models);
  models.set(modelId, { ...overrides.models.get(modelId), ...change, updatedAt: at });
  return { ...overrides, models };
}

function entryOf(entries: readonly CatalogEntry[], modelId: string): CatalogEntry {
  const entry = entries.find((e) => e.model.id === modelId);
  if (!entry) throw notFound("model");
  return entry;
}

// --- vendors ---

/** Switches a whole vendor off (every model of it leaves the offer) or on again; answers every model. */
export async function switchVendor(
  ctx: AppContext,
  actor: AdminActor,
  vendor: string,
  switchedOn: boolean,
): Promise<AdminModel[]> {
  if (!modelDefaults().some((m) => m.vendor === vendor)) throw notFound("vendor");
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await repo.lockCatalogTarget(tx, `vendor:${vendor}`);
    const overrides = await repo.readOverrides(tx);
    const before = overrides.vendors.get(vendor)?.switchedOn ?? true;
    await repo.upsertVendorSettings(tx, vendor, switchedOn, actor.userId, now);
    audit(
      tx,
      actor,
      {
        action: "vendor.update",
        targetType: "vendor",
        targetId: vendor,
        before: { switched_on: before },
        after: { switched_on: switchedOn },
      },
      now,
    );
    repo.notifyCatalogChanged(tx);
  });
  await ctx.catalog.refresh();
  return ctx.catalog.entries().map(presentModel);
}
