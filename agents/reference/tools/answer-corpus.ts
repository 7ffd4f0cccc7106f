import { readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runAgent } from '../run-agent.js';

/**
 * Development helper: runs the reference agent on every bundle under a corpus directory and writes
 * `<answers>/<bundleId>.json`, for `firedrill grade --corpus <dir> --answers <answers>`. It reads each
 * bundle's snapshot/ only; the bundle id is the directory name.
 *
 *   npx tsx agents/reference/tools/answer-corpus.ts <corpus dir> <answers dir>
 */
async function main(): Promise<void> {
  const [corpus, answers] = process.argv.slice(2);
  if (!corpus || !answers) {
    process.stderr.write('usage: answer-corpus.ts <corpus dir> <answers dir>\n');
    process.exitCode = 2;
    return;
  }
  await mkdir(answers, { recursive: true });
  for (const name of (await readdir(corpus)).sort()) {
    const snapshot = join(corpus, name, 'snapshot');
    const manifest = join(corpus, name, 'manifest.json');
    if (!(await exists(snapshot)) || !(await exists(manifest))) continue;
    const started = Date.now();
    const result = await runAgent(snapshot);
    await writeFile(join(answers, `${name}.json`), `${JSON.stringify(result.answer)}\n`);
    process.stdout.write(`${name}\t${Date.now() - started}ms\t${result.answer.entities.join(' ')}\n`);
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

void main();
