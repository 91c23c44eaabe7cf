export * from "./catalog.js";
export * from "./community.js";
export * from "./generation.js";
export * from "./jobs.js";
export * from "./ledger.js";
export * from "./payments.js";
export * from "./rewards.js";
export * from "./users.js";
