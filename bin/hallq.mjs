#!/usr/bin/env node
// The `hallq` command. Runs the compiled agent when dist/app is current (an installed hall), else the
// TypeScript sources through tsx (a checkout being edited, the tests) — never a stale build.
import { pathToFileURL } from 'node:url';
import { ENTRY, isAgentBuildCurrent, ROOT } from '../scripts/build-agent.mjs';

if (isAgentBuildCurrent()) {
  await import(pathToFileURL(ENTRY).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(`${ROOT}/agent/main.ts`).href);
}
