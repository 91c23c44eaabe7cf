import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const outDir = resolve(import.meta.dirname, "dist");

/**
 * Fills the service worker's precache list (the hashed build assets) and a version derived from them,
 * so each build gets its own shell cache and old ones are dropped on activation.
 */
function skyriffServiceWorker(): Plugin {
  return {
    name: "skyriff-sw",
    apply: "build",
    closeBundle() {
      const assets = readdirSync(join(outDir, "assets"))
        .filter((f) => /\.(js|css)$/.test(f))
        .sort()
        .map((f) => `/assets/${f}`);
      const version = createHash("sha256").update(assets.join("\n")).digest("hex").slice(0, 12);
      const swPath = join(outDir, "sw.js");
      const sw = readFileSync(swPath, "utf8")
        .replace('const VERSION = "__SKYRIFF_VERSION__"', `const VERSION = "${version}"`)
        .replace("/* __SKYRIFF_PRECACHE__ */ []", JSON.stringify(assets));
      writeFileSync(swPath, sw);
    },
  };
}

// The backend (Fastify) serves app/dist at `/` with an SPA fallback; in dev, Vite proxies the API.
export default defineConfig({
  plugins: [react(), skyriffServiceWorker()],
  resolve: {
    // The workspace root hoists a second React (a peer of an unrelated package); always use the app's.
    dedupe: ["react", "react-dom"],
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 1000,
  },
  server: {
    host: "0.0.0.0",
    proxy: {
      "/api": { target: process.env.VITE_API_TARGET ?? "http://127.0.0.1:3000", changeOrigin: true },
    },
  },
});
