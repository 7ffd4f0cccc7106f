#!/usr/bin/env node
// Launcher: run the compiled CLI when dist/ is at least as new as every source file, else the
// TypeScript source through tsx, so a fresh clone (or an edited checkout) never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const useDist =
  !process.env.FIREDRILL_FROM_SOURCE &&
  existsSync(compiled) &&
  statSync(compiled).mtimeMs >=
    Math.max(
      newestSource(join(root, 'src')),
      // `firedrill baseline` runs the reference agent, compiled along with the CLI.
      existsSync(join(root, 'agents')) ? newestSource(join(root, 'agents')) : 0,
    );
if (useDist) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
