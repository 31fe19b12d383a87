import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// One HTML entry per screen so each screen ships only its own JS (the kiosk must stay small;
// uPlot is imported by the board only).
const root = dirname(fileURLToPath(import.meta.url));
const screens = ['index', 'kiosk', 'counter', 'pad', 'display', 'board', 'sim'];
const agent = process.env.HALLQ_AGENT ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  plugins: [svelte({ compilerOptions: { runes: true } })],
  build: {
    outDir: resolve(root, '../dist/ui'),
    emptyOutDir: true,
    target: 'es2020',
    rolldownOptions: {
      input: Object.fromEntries(screens.map((s) => [s, resolve(root, `${s}.html`)])),
    },
  },
  // `vite dev` against a running agent
  server: {
    proxy: {
      '/api': agent,
      '/healthz': agent,
      '/socket.io': { target: agent, ws: true },
    },
  },
});
