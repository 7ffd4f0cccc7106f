import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { explainJson, explainText } from './explain.js';
import { runAgent } from './run-agent.js';

const USAGE = `usage: node --import tsx agents/reference/main.ts <snapshotDir> <answerPath> [--explain] [--json]
       FIREDRILL_SNAPSHOT=<snapshotDir> FIREDRILL_ANSWER=<answerPath> node --import tsx agents/reference/main.ts

Reads only <snapshotDir> (a bundle's snapshot/ directory), writes {"entities": [...]} to <answerPath>
(atomically), ranked most likely root cause first. --explain prints the ranking with its evidence;
--json prints the evidence as JSON. Exit codes: 0 answered, 2 bad usage, 1 unreadable snapshot.`;

/** The reference agent as a process, the way an evaluation harness runs any agent. */
async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const args = argv.filter((a) => !a.startsWith('--'));
  if (flags.has('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = [...flags].filter((f) => f !== '--explain' && f !== '--json');
  const snapshotDir = args[0] ?? process.env.FIREDRILL_SNAPSHOT;
  const answerPath = args[1] ?? process.env.FIREDRILL_ANSWER;
  if (unknown.length > 0 || !snapshotDir || !answerPath || args.length > 2) {
    process.stderr.write(`${unknown.length > 0 ? `unknown option ${unknown[0]}\n` : ''}${USAGE}\n`);
    return 2;
  }
  let result;
  try {
    if (!(await stat(snapshotDir)).isDirectory()) throw new Error('not a directory');
    result = await runAgent(snapshotDir);
  } catch (err) {
    process.stderr.write(`reference agent: cannot read ${snapshotDir}: ${(err as Error).message}\n`);
    return 1;
  }
  await writeAtomically(answerPath, `${JSON.stringify(result.answer, null, 2)}\n`);
  if (flags.has('--json')) process.stdout.write(`${JSON.stringify(explainJson(result), null, 2)}\n`);
  else if (flags.has('--explain')) process.stdout.write(explainText(result));
  for (const w of result.warnings) process.stderr.write(`reference agent: warning: ${w}\n`);
  return 0;
}

/** Write beside the target and rename, so a harness never reads half an answer. */
async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${Date.now()}-${process.pid}.answer.tmp`);
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, path);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`reference agent: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
