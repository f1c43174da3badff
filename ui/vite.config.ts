/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The app is served by Tauri from ui/dist under a strict CSP: relative asset paths (base
// './'), no inline scripts, and no runtime <style> injection in the production build.
export default defineConfig({
  base: "./",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The polyfill would be fine under CSP, but every webview Tauri supports has native
    // modulepreload, so keep the bundle smaller.
    modulePreload: { polyfill: false },
    // Inlined assets become data: URLs; keep fonts/images as files so CSP 'self' covers them.
    assetsInlineLimit: 0,
  },
  server: { port: 5173, strictPort: true },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
