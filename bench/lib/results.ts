import { readFile, writeFile } from "node:fs/promises";

const DEFAULT_PREAMBLE =
  "# SkyRiff benchmark results\n\nWritten by `npm run bench` (see bench/README.md). Each phase owns one `## ` section and rewrites only that section.\n";

/**
 * Replaces the section that starts with the line `heading` (a `## ` heading) and runs to the next
 * `## ` heading or the end, keeping everything else; appends the section if it is not there yet.
 */
export function replaceSection(document: string, heading: string, body: string): string {
  if (!/^## \S/.test(heading) || heading.includes("\n")) throw new Error(`not a level-2 heading: ${heading}`);
  const section = `${heading}\n\n${body.trim()}\n`;
  const lines = document.split("\n");
  const start = lines.findIndex((line) => line.trimEnd() === heading);
  if (start < 0) {
    const head = document.trimEnd();
    return `${head ? `${head}\n\n` : ""}${section}`;
  }
  let end = lines.findIndex((line, i) => i > start && /^## /.test(line));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, start).join("\n").trimEnd();
  const after = lines.slice(end).join("\n").trim();
  return `${[before, section.trimEnd(), after].filter(Boolean).join("\n\n")}\n`;
}

/** Rewrites one section of a results file, creating the file (with a short preamble) if needed. */
export async function writeResultsSection(file: string, heading: string, body: string): Promise<void> {
  let current: string;
  try {
    current = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    current = DEFAULT_PREAMBLE;
  }
  await writeFile(file, replaceSection(current, heading, body), "utf8");
}

// East Asian wide and fullwidth ranges (and common emoji): two columns each, as Biome counts them.
const WIDE =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;

/** Display width of a table cell. */
const length = (cell: string) => [...cell].reduce((n, ch) => n + (WIDE.test(ch) ? 2 : 1), 0);

/**
 * A GitHub-flavoured Markdown table, padded the way `biome format` lays tables out (so generated
 * files stay Biome-clean); columns listed in `rightAligned` are aligned right.
 */
export function markdownTable(headers: string[], rows: string[][], rightAligned: number[] = []): string {
  const escapeCell = (cell: string) => cell.replaceAll("|", "\\|");
  const all = [headers, ...rows].map((row) => headers.map((_, i) => escapeCell(row[i] ?? "")));
  const widths = headers.map((_, i) => Math.max(3, ...all.map((row) => length(row[i] ?? ""))));
  const pad = (cell: string, i: number) => {
    const fill = " ".repeat(widths[i]! - length(cell));
    return rightAligned.includes(i) ? fill + cell : cell + fill;
  };
  const line = (cells: string[]) => `| ${cells.map(pad).join(" | ")} |`;
  const rule = widths.map((w, i) => (rightAligned.includes(i) ? `${"-".repeat(w - 1)}:` : "-".repeat(w)));
  return [line(all[0]!), `| ${rule.join(" | ")} |`, ...all.slice(1).map(line)].join("\n");
}

/** Thousands separators, fixed decimals: 12,345.6 */
export function formatNumber(n: number, decimals = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/**
 * Replaces, inside the `## ` section `sectionHeading`, the `### ` subsection whose heading starts with
 * `subPrefix` (up to the next `### ` or `## ` heading) with `text`, keeping everything else byte for
 * byte. Without that subsection, `text` goes before the section's first `### ` heading (or at its end);
 * without the section, null (the caller writes a new section).
 */
export function replaceSubsection(
  document: string,
  sectionHeading: string,
  subPrefix: string,
  text: string,
): string | null {
  const lines = document.split("\n");
  const start = lines.findIndex((line) => line.trimEnd() === sectionHeading);
  if (start < 0) return null;
  let end = lines.findIndex((line, i) => i > start && /^## /.test(line));
  if (end < 0) end = lines.length;
  const block = text.trim().split("\n");
  let from = lines.findIndex((line, i) => i > start && i < end && line.startsWith(subPrefix));
  let to: number;
  if (from >= 0) {
    to = lines.findIndex((line, i) => i > from && /^#{2,3} /.test(line));
    if (to < 0 || to > end) to = end;
  } else {
    from = lines.findIndex((line, i) => i > start && i < end && /^### /.test(line));
    if (from < 0) from = end;
    to = from;
  }
  // Keep one blank line between the block and whatever follows it.
  const tail = lines.slice(to);
  const before = lines.slice(0, from);
  while (before.length > 0 && before.at(-1)?.trim() === "") before.pop();
  const out = [...before, "", ...block];
  if (tail.length > 0 && tail.some((l) => l.trim() !== "")) {
    while (tail.length > 0 && tail[0]?.trim() === "") tail.shift();
    out.push("", ...tail);
  } else {
    out.push("");
  }
  return out.join("\n");
}

/** Rewrites only one `### ` subsection of a section (creating the section if it is missing). */
export async function writeResultsSubsection(
  file: string,
  sectionHeading: string,
  subPrefix: string,
  text: string,
): Promise<void> {
  let current: string | null = null;
  try {
    current = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const next = current === null ? null : replaceSubsection(current, sectionHeading, subPrefix, text);
  if (next === null) await writeResultsSection(file, sectionHeading, text);
  else await writeFile(file, next, "utf8");
}
