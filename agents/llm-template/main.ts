import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tryParseEntityId } from '../../src/entities/index.js';
import type { Topology } from '../../src/bundle/records.js';
import { complete, configFromEnv, LlmError, redactKey } from './llm-client.js';
import { parseEntities } from './parse-entities.js';
import { buildEvidence, SYSTEM_PROMPT } from './prompt.js';

const USAGE = `usage: node --import tsx agents/llm-template/main.ts [<snapshotDir> <answerPath>]
       (or FIREDRILL_SNAPSHOT / FIREDRILL_ANSWER, as firedrill eval sets them)

A template for wrapping an LLM as a firedrill agent: builds a prompt from the snapshot files, asks the
model once, writes the entity ids it names to <answerPath>. Needs OPENAI_API_KEY or ANTHROPIC_API_KEY
and FIREDRILL_LLM_MODEL (pass them with firedrill eval --env NAME). The key is only sent in the request
header: it is never printed. Exit codes: 0 answered, 1 the model could not be asked, 2 bad usage.`;

/** Leave the harness time to read the answer: stop asking this long before its limit. */
const MARGIN_MS = 5000;

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${process.pid}.answer.tmp`);
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, path);
}

async function knownEntities(snapshotDir: string): Promise<Set<string>> {
  try {
    const t = JSON.parse(await readFile(join(snapshotDir, 'topology.json'), 'utf8')) as Topology;
    const out = new Set<string>();
    for (const e of t.entities) {
      const p = tryParseEntityId(e.id);
      if (p.ok) out.add(p.id);
    }
    return out;
  } catch {
    return new Set();
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const snapshotDir = argv[0] ?? process.env.FIREDRILL_SNAPSHOT;
  const answerPath = argv[1] ?? process.env.FIREDRILL_ANSWER;
  if (!snapshotDir || !answerPath || argv.length > 2) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const limit = Number(process.env.FIREDRILL_TIMEOUT_MS ?? 600_000);
  let key = '';
  try {
    const cfg = configFromEnv(process.env, Math.max(10_000, limit - MARGIN_MS));
    key = cfg.apiKey;
    const evidence = await buildEvidence(snapshotDir);
    process.stderr.write(
      `llm-template: asking ${cfg.provider} ${cfg.model} (${evidence.length} characters of evidence)\n`,
    );
    const text = await complete(cfg, SYSTEM_PROMPT, evidence);
    const entities = parseEntities(text, await knownEntities(snapshotDir));
    await writeAtomically(answerPath, `${JSON.stringify({ entities }, null, 2)}\n`);
    process.stderr.write(
      `llm-template: ${entities.length} entit${entities.length === 1 ? 'y' : 'ies'} named\n`,
    );
    return 0;
  } catch (err) {
    const message = err instanceof LlmError ? err.message : ((err as Error).stack ?? String(err));
    process.stderr.write(`llm-template: ${redactKey(message, key)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`llm-template: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
