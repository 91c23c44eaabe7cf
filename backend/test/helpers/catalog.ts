import {
  type ModelSettingsChange,
  notifyCatalogChanged,
  upsertModelSettings,
} from "../../src/modules/catalog/repository.js";
import type { TestApp } from "./app.js";

/**
 * Changes a model's runtime settings as an admin would (the row, the NOTIFY) and waits until this app's
 * catalog has it: tests switch models off and on without the admin routes.
 */
export async function setModel(t: TestApp, modelId: string, change: ModelSettingsChange): Promise<void> {
  await t.ctx.db.transaction(async (tx) => {
    await upsertModelSettings(tx, modelId, change, null, t.clock.now());
    notifyCatalogChanged(tx);
  });
  await t.ctx.catalog.refresh();
}

/** Runs `fn` with the model switched off, and switches it on again afterwards. */
export async function withModelOff<T>(t: TestApp, modelId: string, fn: () => Promise<T>): Promise<T> {
  await setModel(t, modelId, { switchedOn: false });
  try {
    return await fn();
  } finally {
    await setModel(t, modelId, { switchedOn: true });
  }
}
