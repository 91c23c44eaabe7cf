/**
 * Phase 1 bench: the generation loop. (a) the media step against one hand-written ffmpeg pass (the
 * floor for a burned-in watermark), (b) one poll-sweep
 * pass over many in-flight DyuAPI tasks (statements and vendor requests per task), (c) POST
 * /api/v1/tasks/create throughput against the bare Fastify route, with the task rows and the ledger
 * checked afterwards. Rewrites the "Phase 1" section of bench/RESULTS.md (`BENCH_ONLY=media`: runs
 * only (a) and rewrites only its subsection). See bench/README.md.
 */
import { randomBytes } from "node:crypto";
import { rm, rmdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { installSignalHandlers, onCleanup, runCleanup } from "./lib/cleanup.js";
import { createBenchDatabase, DEFAULT_ADMIN_URL, redactUrl } from "./lib/database.js";
import { envFlag, envInt } from "./lib/env.js";
import { median, percentOf, problemsOf } from "./lib/load.js";
import { describeMachine } from "./lib/machine.js";
import { formatNumber, markdownTable, writeResultsSection, writeResultsSubsection } from "./lib/results.js";
import { StartError } from "./lib/server-child.js";
import { benchCreate, CREATE_BODY, type CreateResult } from "./phase1/create.js";
import { benchMedia, type MediaResult } from "./phase1/media.js";
import { benchPollSweep, type PollSweepResult } from "./phase1/poll-sweep.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, "..");
const RESULTS_FILE = path.join(BENCH_DIR, "RESULTS.md");
const HEADING = "## Phase 1: generation loop";

const settings = {
  seconds: envInt("BENCH_SECONDS", 10, { min: 1, max: 3600 }),
  warmupSeconds: envInt("BENCH_WARMUP_SECONDS", 2, { min: 0, max: 600 }),
  connections: envInt("BENCH_CONNECTIONS", 50, { min: 1, max: 10_000 }),
  pollTasks: envInt("BENCH_POLL_TASKS", 10_000, { min: 1, max: 1_000_000 }),
  createUsers: envInt("BENCH_CREATE_USERS", 50, { min: 1, max: 10_000 }),
  mediaRuns: envInt("BENCH_MEDIA_RUNS", 5, { min: 1, max: 100 }),
  only: process.env.BENCH_ONLY?.trim() || null,
  verbose: envFlag("BENCH_VERBOSE"),
};

const log = (message: string) => console.log(`[bench] ${message}`);

async function main(): Promise<number> {
  if (settings.only !== null && settings.only !== "media" && settings.only !== "create") {
    throw new Error(`BENCH_ONLY must be "media", "create" or unset, got "${settings.only}"`);
  }
  const adminUrl = process.env.DATABASE_URL?.trim() || DEFAULT_ADMIN_URL;
  const machine = describeMachine();
  const tmpRoot = path.join(BENCH_DIR, ".tmp", `phase1_${randomBytes(6).toString("hex")}`);
  onCleanup(`remove ${tmpRoot}`, async () => {
    await rm(tmpRoot, { recursive: true, force: true });
    await rmdir(path.dirname(tmpRoot)).catch(() => undefined); // bench/.tmp, if nothing else is in it
  });

  if (settings.only === "create") return writeCreateOnly(await runCreate(adminUrl, tmpRoot));

  // (a) media
  const media = await benchMedia({ workDir: path.join(tmpRoot, "media"), runs: settings.mediaRuns, log });
  if (settings.only === "media") return writeMediaOnly(media);

  // (b) poll sweep
  const sweepDb = await createBenchDatabase(adminUrl);
  log(`created database ${sweepDb.name} on ${redactUrl(adminUrl)} (poll sweep)`);
  const sweep = await benchPollSweep({
    db: sweepDb,
    dataDir: path.join(tmpRoot, sweepDb.name),
    tasks: settings.pollTasks,
    log,
  });
  await sweepDb.drop();

  // (c) task create throughput
  const create = await runCreate(adminUrl, tmpRoot);

  const mediaPart = mediaSection(media);
  const sweepPart = sweepSection(sweep);
  const createPart = createSection(create);
  console.log(`\n${mediaPart.text}\n\n${sweepPart.text}\n\n${createPart.text}\n`);

  const problems = [create.bare, create.create].flatMap((m) => problemsOf(m).map((p) => `${m.name}: ${p}`));
  if (problems.length > 0) {
    for (const p of problems) console.error(`[bench] ${p}`);
    console.error(`[bench] measurements are not valid: ${RESULTS_FILE} left unchanged`);
    return 1;
  }

  const autocannonVersion = (createRequire(import.meta.url)("autocannon/package.json") as { version: string })
    .version;
  const body = [
    `Run ${new Date().toISOString()} · autocannon ${autocannonVersion} (programmatic, in the bench process)`,
    "",
    `- CPU: ${machine.cpuModel} × ${machine.cpuCount} (${machine.memoryGiB} GiB RAM, ${machine.os})`,
    `- Node: ${machine.node}`,
    `- PostgreSQL: ${sweepDb.serverVersion}`,
    "- Everything (bench, backend, fakes, ffmpeg, PostgreSQL) shares this machine: compare runs only on the same machine",
    "",
    mediaPart.text,
    "",
    sweepPart.text,
    "",
    createPart.text,
  ].join("\n");
  await writeResultsSection(RESULTS_FILE, HEADING, body);
  log(`wrote ${path.relative(REPO_ROOT, RESULTS_FILE)} (section "${HEADING.slice(3)}")`);

  const failed = [...mediaPart.failures, ...sweepPart.failures, ...createPart.failures];
  for (const f of failed) console.error(`[bench] check failed: ${f}`);
  return failed.length > 0 ? 1 : 0;
}

const ms = (n: number) => formatNumber(n, 0);

const MEDIA_SUBSECTION = "### (a) Media overhead";
const CREATE_SUBSECTION = "### (c) Task create throughput";
const MEDIA_TARGET = 1.3;

/** BENCH_ONLY=media: prints (a) and rewrites only that subsection of the Phase 1 section. */
async function writeMediaOnly(media: MediaResult): Promise<number> {
  return writeOnly(MEDIA_SUBSECTION, mediaSection(media));
}

/** BENCH_ONLY=create: prints (c) and rewrites only that subsection of the Phase 1 section. */
async function writeCreateOnly(create: CreateResult): Promise<number> {
  const problems = [create.bare, create.create].flatMap((m) => problemsOf(m).map((p) => `${m.name}: ${p}`));
  if (problems.length > 0) {
    for (const p of problems) console.error(`[bench] ${p}`);
    console.error(`[bench] measurements are not valid: ${RESULTS_FILE} left unchanged`);
    return 1;
  }
  return writeOnly(CREATE_SUBSECTION, createSection(create));
}

async function writeOnly(subsection: string, part: { text: string; failures: string[] }): Promise<number> {
  console.log(`\n${part.text}\n`);
  await writeResultsSubsection(RESULTS_FILE, HEADING, subsection, part.text);
  log(
    `wrote ${path.relative(REPO_ROOT, RESULTS_FILE)} (subsection "${subsection.slice(4)}" of "${HEADING.slice(3)}")`,
  );
  for (const f of part.failures) console.error(`[bench] check failed: ${f}`);
  return part.failures.length > 0 ? 1 : 0;
}

async function runCreate(adminUrl: string, tmpRoot: string): Promise<CreateResult> {
  const createDb = await createBenchDatabase(adminUrl);
  log(`created database ${createDb.name} on ${redactUrl(adminUrl)} (task create)`);
  try {
    return await benchCreate({
      db: createDb,
      adminUrl,
      dataDir: path.join(tmpRoot, createDb.name),
      repoRoot: REPO_ROOT,
      benchDir: BENCH_DIR,
      users: settings.createUsers,
      connections: settings.connections,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      verbose: settings.verbose,
      log,
    });
  } finally {
    await createDb.drop();
  }
}

function mediaSection(m: MediaResult): { text: string; failures: string[] } {
  const simulated = simulatedPart(m);
  const processMed = median(m.processMs);
  const passMed = median(m.onePassMs);
  const ratio = processMed / passMed;
  const pairRatios = m.processMs.map((p, i) => p / m.onePassMs[i]!);
  const met = ratio <= MEDIA_TARGET;
  const part = (pick: (t: MediaResult["timings"][number]) => number) => m.timings.map(pick);
  const probeMs = part((t) => t.probeMs);
  const renderMs = part((t) => t.renderMs);
  const playProbeMs = part((t) => t.playProbeMs);
  const thumbRunMs = part((t) => t.thumbnailMs);
  const restMs = m.timings.map(
    (t, i) => m.processMs[i]! - t.probeMs - t.renderMs - t.playProbeMs - t.thumbnailMs,
  );
  const row = (label: string, values: number[]) => [label, ms(median(values)), values.map(ms).join(", ")];
  const rows = [
    row("**`processVideo`** (total)", m.processMs),
    row("**one pass** (the floor, below)", m.onePassMs),
    row("· `processVideo`: probe of the source (ffprobe)", probeMs),
    row("· `processVideo`: play copy + thumbnail, one ffmpeg run", renderMs),
    ...(thumbRunMs.some((v) => v > 0)
      ? [row("· `processVideo`: separate thumbnail run (fallback)", thumbRunMs)]
      : []),
    row("· `processVideo`: duration probe of the copy", playProbeMs),
    row("· `processVideo`: the rest (mkdir, stat, font lookup)", restMs),
    row("not run any more: separate thumbnail (`thumbnailArgs`)", m.separateThumbMs),
    row("not run any more: full ffprobe of the copy", m.fullProbeMs),
  ];
  const table = markdownTable(["Step", "median (ms)", "runs (ms)"], rows, [1]);
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  const signed = (n: number) => `${n >= 0 ? "+" : "−"}${ms(Math.abs(n))} ms`;
  const over = processMed - passMed;
  const pct = (n: number) => `${n >= 0 ? "+" : "−"}${formatNumber((100 * Math.abs(n)) / passMed, 1)} %`;
  const renderOver = median(renderMs) - passMed;
  const cpu =
    m.processCpuMs && m.onePassCpuMs
      ? { process: median(m.processCpuMs), pass: median(m.onePassCpuMs) }
      : null;
  const shown = m.onePassArgs.map((a) => (a.startsWith("[0:v:0]") ? '"[0:v:0]<watermarkFilter(…)>[v]"' : a));
  const text = [
    "### (a) Media overhead after vendor SUCCESS",
    "",
    `Run ${new Date().toISOString()} · ${m.processMs.length} timed runs of each, interleaved (order alternating), after one untimed warm-up of each · 1-min load average ${formatNumber(m.load.start, 1)} → ${formatNumber(m.load.end, 1)} on ${m.load.cpus} CPUs · ffmpeg: ${m.ffmpegVersion} (\`${path.relative(REPO_ROOT, m.ffmpegPath) || m.ffmpegPath}\`), ffprobe ${m.ffprobePath ? "packaged" : "absent (ffmpeg -i fallback)"}, watermark font ${m.font ? `\`${m.font}\`` : "none (logo shape)"}.`,
    "",
    `Source: a ${(m.clip.durationMs / 1000).toFixed(1)} s ${m.clip.width}×${m.clip.height} ${m.clip.videoCodec}/${m.clip.audioCodec ?? "no audio"} clip rendered once with \`simulatedClipArgs\` (${mib(m.clip.bytes)}, ${ms(m.clip.renderMs)} ms to render, cold: the first ffmpeg run of the bench; timed renders are below). Storage copies are not included. Play copy: ${m.play.width}×${m.play.height} ${m.play.videoCodec}/${m.play.audioCodec}, ${mib(m.play.bytes)} (one pass: ${mib(m.onePassBytes)}); thumbnail ${formatNumber(m.thumbBytes / 1024, 1)} KiB.`,
    "",
    `The floor for a burned-in watermark, written by hand in the bench: \`ffmpeg ${shown.join(" ")}\` — the same filter text (\`watermarkFilter\`: scale, SkyRiff mark and handle), the same x264 settings, the AAC audio stream-copied, no +faststart, no thumbnail, no probes.`,
    "",
    table,
    "",
    `- processVideo / one pass: **${formatNumber(ratio, 2)}×** (per interleaved run ${formatNumber(Math.min(...pairRatios), 2)}–${formatNumber(Math.max(...pairRatios), 2)}×; ${formatNumber(processMed / 1000, 2)} s of media work per finished ${formatNumber(m.clip.durationMs / 1000, 0)} s clip)`,
    `- On top of the pass: ${signed(over)} (${pct(over)}) — source probe ${ms(median(probeMs))} ms, the render beyond the pass ${signed(renderOver)} (thumbnail output, +faststart rewrite), duration probe of the copy ${ms(median(playProbeMs))} ms, the rest ${ms(median(restMs))} ms (medians)`,
    `- Fastest run of each: processVideo ${ms(Math.min(...m.processMs))} ms, one pass ${ms(Math.min(...m.onePassMs))} ms → ${formatNumber(Math.min(...m.processMs) / Math.min(...m.onePassMs), 2)}×`,
    ...(cpu
      ? [
          `- CPU time of the ffmpeg/ffprobe processes (user + sys, medians, steadier than wall time on a shared machine): processVideo ${ms(cpu.process)} ms, one pass ${ms(cpu.pass)} ms → **${formatNumber(cpu.process / cpu.pass, 2)}×**`,
        ]
      : []),
    `- Target: processVideo ≤ ${MEDIA_TARGET}× one pass (wall time) — ${met ? "PASS" : "FAIL"}`,
    "",
    simulated.text,
  ].join("\n");
  const enforce = envFlag("BENCH_ENFORCE_TARGET");
  const failures =
    !met && enforce ? [`media: processVideo / one pass ${formatNumber(ratio, 2)}× > ${MEDIA_TARGET}×`] : [];
  if (enforce) failures.push(...simulated.failures);
  return { text, failures };
}

/** The simulated vendor's render time for a 10 s 720×1280 clip, against its target. */
function simulatedPart(m: MediaResult): { text: string; failures: string[] } {
  const s = m.simulated;
  type Runs = Pick<MediaResult["simulated"]["text"], "wallMs" | "cpuMs" | "bytes">;
  const cpu = (v: number[] | null) => (v ? ms(median(v)) : "n/a");
  const row = (label: string, r: Runs) => [
    label,
    ms(median(r.wallMs)),
    r.wallMs.map(ms).join(", "),
    cpu(r.cpuMs),
    `${(r.bytes / 2 ** 20).toFixed(2)} MiB`,
  ];
  const table = markdownTable(
    ["Simulated clip (10 s 720×1280)", "median (ms)", "runs (ms)", "ffmpeg CPU, median (ms)", "file"],
    [row(`text→video (scene: ${s.text.scene})`, s.text), row(`image→video (${s.image.source})`, s.image)],
    [1, 3],
  );
  const verdict = (r: Runs) => (median(r.wallMs) <= s.targetMs ? "PASS" : "FAIL");
  const text = [
    `Simulated vendor render: \`createSimulatedVendor\` as the worker runs it, \`get()\` at SUCCESS renders the clip (\`simulatedClipArgs\`: scene or Ken Burns, subtitle, tone; image→video includes fetching the image). ${s.text.wallMs.length} timed runs of each, interleaved, after one untimed warm-up of each · 1-min load average ${formatNumber(s.load.start, 1)} → ${formatNumber(s.load.end, 1)}.`,
    "",
    table,
    "",
    `- Target: a 10 s 720×1280 clip renders in ≤ ${formatNumber(s.targetMs / 1000, 0)} s (wall, median) — text→video ${verdict(s.text)}, image→video ${verdict(s.image)}`,
  ].join("\n");
  const failures = (["text", "image"] as const)
    .filter((k) => median(s[k].wallMs) > s.targetMs)
    .map((k) => `media: simulated ${k}→video render ${ms(median(s[k].wallMs))} ms > ${ms(s.targetMs)} ms`);
  return { text, failures };
}

function sweepSection(s: PollSweepResult): { text: string; failures: string[] } {
  const polls = Math.max(1, s.polls);
  const perSec = s.polls / (s.passMs / 1000);
  const maxBatch = Math.max(...s.perRun);
  const cadenceCap = s.periodSeconds ? maxBatch / s.periodSeconds : null;
  const table = markdownTable(
    ["Metric", "Value"],
    [
      ["Tasks in flight (DyuAPI fake, `sora2`)", formatNumber(s.tasks)],
      [
        "Sweep runs back to back",
        `${s.perRun.length} (${formatNumber(maxBatch)} tasks leased per run at most; ${formatNumber(s.polls)} polls)`,
      ],
      ["Pass time", `${formatNumber(s.passMs / 1000, 2)} s`],
      ["Throughput", `**${formatNumber(perSec, 0)} tasks/s**`],
      ["Sweep run time, median (max)", `${ms(median(s.runMs))} ms (${ms(Math.max(...s.runMs))} ms)`],
      [
        "SQL statements",
        `${formatNumber(s.statements)} (**${formatNumber(s.statements / polls, 3)} per task**)`,
      ],
      [
        "Vendor HTTP requests",
        `${formatNumber(s.vendorRequests)} (${formatNumber(s.vendorRequests / polls, 3)} per task; the fake answered ${formatNumber(s.fakePolls)} polls)`,
      ],
      [
        "Bench-process CPU (sweep + HTTP client + in-process fake)",
        `${formatNumber(s.cpuMs / 1000, 2)} s (${formatNumber((s.cpuMs * 1000) / polls, 0)} µs per task)`,
      ],
    ],
    [],
  );
  const checks = [
    {
      ok: s.polledTasks === s.tasks && s.fakePolls === s.polls && s.vendorRequests === s.polls,
      line: `every task polled: ${formatNumber(s.polledTasks)}/${formatNumber(s.tasks)}${s.polls > s.tasks ? ` (${formatNumber(s.polls - s.tasks)} were due again and polled twice)` : ", each exactly once"}; polls leased = answered by the fake = vendor requests`,
    },
    {
      ok: s.rowsUpdated === s.tasks,
      line: `rows with progress recorded, no poll error and next_poll_at after the pass start: ${formatNumber(s.rowsUpdated)}/${formatNumber(s.tasks)}`,
    },
  ];
  const cadence =
    cadenceCap === null || s.periodSeconds === null
      ? `- The sweep is scheduled \`${s.schedule}\`.`
      : `- Scheduled \`${s.schedule}\` with at most ${formatNumber(maxBatch)} tasks leased per run, the sweep polls at most **${formatNumber(cadenceCap, 0)} tasks/s** however fast a run is: one pass over ${formatNumber(s.tasks)} tasks takes ≥ ${formatNumber(Math.ceil(s.tasks / maxBatch) * s.periodSeconds, 0)} s, while tasks ask for a poll every 5–30 s (${formatNumber(s.tasks)} tasks need ${formatNumber(s.tasks / 30, 0)}–${formatNumber(s.tasks / 5, 0)} polls/s).`;
  const text = [
    "### (b) Poll sweep",
    "",
    `The backend context is built in the bench process (\`createServer\` with no job roles, so no job runs by itself) on a scratch database, with the DyuAPI fake in the same process. ${formatNumber(s.tasks)} task rows (IN_PROGRESS, \`sora2\` on \`dyuapi\`, due now, created 15 min ago so each poll sets the next one 30 s later) and the matching running tasks of the fake were inserted directly (${ms(s.seedMs)} ms). After a warm-up run over ${formatNumber(s.warmup.tasks)} other tasks (${ms(s.warmup.ms)} ms, then deleted), the registered job \`generation.poll_sweep\` ran back to back until every task was polled once; the pass is timed from the first run to the end of the last. Statements are counted by wrapping \`pg.Client.prototype.query\` (\`begin\`/\`commit\` included), vendor requests by wrapping \`fetch\`.`,
    "",
    table,
    "",
    cadence,
    ...checks.map((c) => `- Check: ${c.line} — ${c.ok ? "PASS" : "FAIL"}`),
  ].join("\n");
  return { text, failures: checks.filter((c) => !c.ok).map((c) => `poll sweep: ${c.line}`) };
}

const CREATE_TARGET_PERCENT = 35;
const CREATE_TARGET_P99_MS = 150;

function createSection(c: CreateResult): { text: string; failures: string[] } {
  const rows = [
    { label: "bare Fastify", route: "GET /bare", m: c.bare },
    { label: "task create", route: "POST /api/v1/tasks/create", m: c.create },
  ];
  const table = markdownTable(
    ["Target", "Route", "Body (B)", "req/s (avg)", "p50 (ms)", "p99 (ms)", "Requests", "non-2xx", "Errors"],
    rows.map((r) => [
      r.label,
      `\`${r.route}\``,
      String(r.m.bytes),
      formatNumber(r.m.reqPerSec, 1),
      String(r.m.p50Ms),
      String(r.m.p99Ms),
      formatNumber(r.m.completed),
      String(r.m.non2xx),
      String(r.m.errors),
    ]),
    [2, 3, 4, 5, 6, 7, 8],
  );
  const ok2xx = c.create.ok2xx + (c.create.warmup?.ok2xx ?? 0);
  const expected = c.probeTasks + ok2xx;
  const tasksOk = c.tasksInDb >= expected && c.tasksInDb <= expected + c.inFlightAtStop;
  const checks = [
    {
      ok: tasksOk,
      line: `tasks in the database ${formatNumber(c.tasksInDb)} = 2xx answers ${formatNumber(ok2xx)} (warm-up + run) + ${c.probeTasks} sanity request${c.tasksInDb > expected ? ` + ${c.tasksInDb - expected} of the ${c.inFlightAtStop} requests still in flight when autocannon stopped (committed, answer never read)` : ""}`,
    },
    {
      ok: c.holdsInDb === c.tasksInDb,
      line: `one \`gen_hold\` ledger transaction per task: ${formatNumber(c.holdsInDb)}/${formatNumber(c.tasksInDb)}`,
    },
    {
      ok: c.ledgerCheck.ok,
      line: `\`npm run ledger:check\` on the bench database: ${c.ledgerCheck.output.split("\n").filter(Boolean).at(-1) ?? "(no output)"}`,
    },
  ];
  const createRatio = percentOf(c.create.reqPerSec, c.pgbench.tps);
  const createTargetMet = createRatio >= CREATE_TARGET_PERCENT && c.create.p99Ms <= CREATE_TARGET_P99_MS;
  const text = [
    "### (c) Task create throughput",
    "",
    `${c.create.connections} connections · ${settings.seconds} s per target after a ${settings.warmupSeconds} s warm-up · backend \`node --import tsx backend/src/main.ts api\` (no Redis: the in-process outbox submits every task to the simulated vendor; SIMULATED_VENDOR_SECONDS=${c.simulatedVendorSeconds}, so nothing renders), NODE_ENV=development, LOG_LEVEL=warn, TRUST_PROXY=true, ECON_MAX_UNFINISHED_TASKS and ECON_MAX_TASKS_PER_DAY 100,000,000, node-postgres pool max ${process.env.DATABASE_POOL_MAX || "10 (default)"}, fresh database. ${c.users} users logged in through SMS (one X-Forwarded-For each), ${formatNumber(c.creditsPerUser)} credits each; every request takes the next user's token and a fresh Idempotency-Key. Body: \`${JSON.stringify(CREATE_BODY)}\`. Bare: Phase 0's bare server, \`GET /bare\`. req/s is the mean of 1 s samples, latencies are of 2xx responses.`,
    "",
    table,
    "",
    `- create / bare: **${percentOf(c.create.reqPerSec, c.bare.reqPerSec).toFixed(1)}%**`,
    `- Reference write load, same bench run: \`${c.pgbench.command}\` (${c.pgbench.version}) → **${formatNumber(c.pgbench.tps, 0)} tps**, latency avg ${c.pgbench.latencyAvgMs.toFixed(1)} ms, ${formatNumber(c.pgbench.transactions)} transactions`,
    `- create / pgbench: **${createRatio.toFixed(1)}%** of pgbench's tps, create p99 ${c.create.p99Ms} ms`,
    `Target: create ≥ ${CREATE_TARGET_PERCENT}% of pgbench tps with p99 ≤ ${CREATE_TARGET_P99_MS} ms — ${createTargetMet ? "PASS" : "FAIL"}`,
    "",
    ...checks.map((ch) => `- Check: ${ch.line} — ${ch.ok ? "PASS" : "FAIL"}`),
    "",
    `Where the backend's PostgreSQL sessions were during the create load (warm-up and run; \`pg_stat_activity\` sampled ${formatNumber(c.waits.snapshots)} times, non-idle client sessions; "avg sessions" = samples / snapshots):`,
    "",
    markdownTable(
      ["State, wait event", "Statement (start)", "avg sessions"],
      c.waits.top.map((w) => [
        w.state,
        `\`${w.statement.replaceAll("`", "'")}\``,
        formatNumber(w.samples / Math.max(1, c.waits.snapshots), 2),
      ]),
      [2],
    ),
  ].join("\n");
  return { text, failures: checks.filter((ch) => !ch.ok).map((ch) => `task create: ${ch.line}`) };
}

installSignalHandlers();
let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  console.error(`[bench] failed: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof StartError) {
    const output = err.child.recentOutput().trim();
    console.error(output ? `[bench] last output of ${err.child.name}:\n${output}` : "[bench] (no output)");
  } else if (err instanceof Error && err.stack && settings.verbose) {
    console.error(err.stack);
  }
} finally {
  await runCleanup();
}
process.exit(exitCode);
