import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // pty pairs, Chromium and the crash test compete for two cores: one file at a time keeps timing honest.
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default'],
  },
});
