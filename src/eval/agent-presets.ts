import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../version.js';
import { shellQuote } from './contract.js';

/** Agents shipped in agents/, runnable by name: `--agent reference`. */
export const AGENT_PRESETS = {
  reference: 'agents/reference/main',
  'llm-template': 'agents/llm-template/main',
} as const;
export type AgentPreset = keyof typeof AGENT_PRESETS;

export function isAgentPreset(name: string): name is AgentPreset {
  return Object.hasOwn(AGENT_PRESETS, name);
}

function newestTs(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestTs(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The command line of a shipped agent, with absolute paths (agents run in their own working
 * directory): the compiled entry when `npm run build` is current, as the launcher decides for the CLI,
 * since it starts in a fraction of the time; else the TypeScript source through tsx.
 */
export function presetCommand(name: AgentPreset, root = REPO_ROOT): string {
  const node = shellQuote(process.execPath);
  const compiled = join(root, 'dist', `${AGENT_PRESETS[name]}.js`);
  if (
    existsSync(compiled) &&
    statSync(compiled).mtimeMs >= Math.max(newestTs(join(root, 'src')), newestTs(join(root, 'agents')))
  )
    return `${node} ${shellQuote(compiled)}`;
  const tsx = createRequire(join(root, 'package.json')).resolve('tsx');
  return `${node} --import ${shellQuote(pathToFileURL(tsx).href)} ${shellQuote(join(root, `${AGENT_PRESETS[name]}.ts`))}`;
}
