import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * antd runs in zero-runtime mode on its prebuilt antd/dist/antd.css (the server's CSP allows no
 * <style>). That file scopes its CSS variables under one root class (`.css-var-_R_0_` in 6.6): the
 * console's ConfigProvider must use the same key, read here from the installed antd so an upgrade
 * cannot silently unstyle the console.
 */
function antdCssVarKey(): string {
  const css = readFileSync(createRequire(import.meta.url).resolve("antd/dist/antd.css"), "utf8");
  // The classes that define the design tokens; the root is the one every component's variables hang on.
  const roots = [...css.matchAll(/\.(css-var-[\w-]+)\{--ant-blue:/g)].map((m) => m[1]!);
  const uses = (k: string) => css.split(`.${k}`).length - 1;
  const key = roots.sort((a, b) => uses(b) - uses(a))[0];
  if (!key) throw new Error("antd/dist/antd.css: no root CSS variable class found");
  return key;
}

// The backend (Fastify) serves admin/dist at `/admin/` with an SPA fallback; in dev, Vite proxies the API.
export default defineConfig({
  base: "/admin/",
  plugins: [react()],
  define: { __ANTD_CSS_VAR_KEY__: JSON.stringify(antdCssVarKey()) },
  resolve: {
    // The workspace root hoists a second React (a peer of an unrelated package); always use ours.
    dedupe: ["react", "react-dom"],
  },
  build: {
    outDir: resolve(import.meta.dirname, "dist"),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 2500,
  },
  server: {
    host: "0.0.0.0",
    port: 5174,
    proxy: {
      "/api": { target: process.env.VITE_API_TARGET ?? "http://127.0.0.1:3000", changeOrigin: true },
    },
  },
  preview: {
    port: 4174,
    proxy: {
      "/api": { target: process.env.VITE_API_TARGET ?? "http://127.0.0.1:3000", changeOrigin: true },
    },
  },
});
