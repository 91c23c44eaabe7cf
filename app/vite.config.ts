import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The backend (Fastify) serves app/dist at `/` with an SPA fallback; in dev, Vite proxies the API.
export default defineConfig({
  plugins: [react()],
  resolve: {
    // The workspace root hoists a second React (a peer of an unrelated package); always use the app's.
    dedupe: ["react", "react-dom"],
  },
  build: {
    outDir: "dist",
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
