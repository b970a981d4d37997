// The front-end is served by the desktop shell from the files in dist/, embedded in the
// binary at build time (tauri.conf.json `build.frontendDist`); there is no dev server.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebView2 on Windows (Chromium) and WebKitGTK 2.4x on Linux both run ES2021.
    target: 'es2021',
    // Inlined assets would need `data:` in the CSP for scripts and styles; keep them as files.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
