/** Reads an integer setting from the environment, failing loudly on garbage. */
export function envInt(name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new Error(`${name} must be an integer in [${range.min}, ${range.max}], got "${raw}"`);
  }
  return value;
}

export function envFlag(name: string): boolean {
  return ["1", "true", "yes"].includes(process.env[name]?.trim().toLowerCase() ?? "");
}
