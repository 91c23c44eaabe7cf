/**
 * A small concurrent sender: every prebuilt callback is posted once, `connections` at a time, over a
 * keep-alive agent with that many sockets (a fresh agent per run). Unlike a duration-bound load it sends
 * a fixed list, so every notification goes out exactly once and every answer is read before it returns.
 */
import http from "node:http";
import { performance } from "node:perf_hooks";

export interface Callback {
  body: string;
  headers: Record<string, string>;
}

export interface SendResult {
  sent: number;
  /** 200 with WeChat's SUCCESS body. */
  ok: number;
  /** Any other status (or a 200 with another body). */
  refused: number;
  /** Socket errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  /** First send to last answer. */
  wallMs: number;
  /** ok ÷ wall seconds. */
  perSec: number;
  /** Latencies of the ok answers, ms, sorted ascending. */
  latencies: Float64Array;
  /** The first few refusals and errors, for the report. */
  samples: string[];
}

export const SUCCESS_BODY = '{"code":"SUCCESS","message":"成功"}';
const TIMEOUT_MS = 10_000;
const SAMPLES = 5;

export async function sendAll(url: string, calls: Callback[], connections: number): Promise<SendResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = new Float64Array(calls.length);
  const statusCodes: Record<string, number> = {};
  const samples: string[] = [];
  let ok = 0;
  let refused = 0;
  let errors = 0;
  let next = 0;

  const post = (call: Callback) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: { ...call.headers, "content-length": String(Buffer.byteLength(call.body)) },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on("error", reject);
        },
      );
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`timed out after ${TIMEOUT_MS} ms`)));
      req.on("error", reject);
      req.end(call.body);
    });

  const worker = async () => {
    while (next < calls.length) {
      const call = calls[next++]!;
      const t0 = performance.now();
      try {
        const res = await post(call);
        statusCodes[res.status] = (statusCodes[res.status] ?? 0) + 1;
        if (res.status === 200 && res.body === SUCCESS_BODY) {
          latencies[ok++] = performance.now() - t0;
        } else {
          refused += 1;
          if (samples.length < SAMPLES) samples.push(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
        }
      } catch (err) {
        errors += 1;
        if (samples.length < SAMPLES) samples.push(err instanceof Error ? err.message : String(err));
      }
    }
  };

  const t0 = performance.now();
  try {
    await Promise.all(Array.from({ length: Math.min(connections, calls.length) }, worker));
  } finally {
    agent.destroy();
  }
  const wallMs = performance.now() - t0;
  const sorted = latencies.slice(0, ok).sort();
  return {
    sent: calls.length,
    ok,
    refused,
    errors,
    statusCodes,
    wallMs,
    perSec: ok / Math.max(1e-9, wallMs / 1000),
    latencies: sorted,
    samples,
  };
}

/** The q-quantile (0–1) of sorted values, nearest rank; 0 when empty. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Several runs' sorted latencies as one sorted array. */
export function mergeLatencies(all: Float64Array[]): Float64Array {
  const out = new Float64Array(all.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of all) {
    out.set(a, at);
    at += a.length;
  }
  return out.sort();
}
