export * from "./auth.js";
export * from "./catalog.js";
export * from "./common.js";
export * from "./errors.js";
export * from "./generation.js";
export * from "./me.js";
export * from "./text.js";
export * from "./wallet.js";
