import type { Tx } from "../../db/client.js";
import { enqueue } from "../../jobs/index.js";

const WINDOW_MS = 5_000;
/** Lets the publishing transaction commit before the refresh that should include it starts. */
const SLACK_MS = 1_000;

/**
 * Asks for a snapshot refresh soon after this transaction commits, debounced: every call in the same
 * 5-second window writes the same outbox id (`on conflict do nothing`), so a burst of publishes costs one
 * refresh at the window's end. Without it a new install would show an empty 发现 until the minute cron.
 */
export async function scheduleFeedRefresh(tx: Tx): Promise<void> {
  const window = Math.floor(Date.now() / WINDOW_MS);
  await enqueue(
    tx,
    "feed.refresh",
    {},
    {
      id: `feed-refresh-${window}`,
      runAt: new Date((window + 1) * WINDOW_MS + SLACK_MS),
    },
  );
}
