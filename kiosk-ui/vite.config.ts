import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { type Plugin, defineConfig } from 'vite';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

// One HTML entry per screen so each screen ships only its own JS (the kiosk must stay small;
// uPlot is imported by the board only).
const root = dirname(fileURLToPath(import.meta.url));
const screens = ['index', 'kiosk', 'counter', 'pad', 'display', 'board', 'sim'];
const agent = process.env.HALLQ_AGENT ?? 'http://127.0.0.1:8080';

/**
 * .br and .gz beside every text file of the build, so the agent sends them as they are (@fastify/static
 * preCompressed) instead of compressing on each request on a small hall PC, or not at all.
 */
function precompress(): Plugin {
  return {
    name: 'hallq-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string) => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const p = join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (/\.(js|css|html|svg|json|txt)$/.test(e.name)) {
            const data = readFileSync(p);
            if (data.length < 1024) continue; // a header costs more than it saves
            writeFileSync(`${p}.gz`, gzipSync(data, { level: 9 }));
            writeFileSync(`${p}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
          }
        }
      };
      walk(resolve(root, '../dist/ui'));
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [svelte({ compilerOptions: { runes: true } }), precompress()],
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
