import { buildProgram } from './program.js';
import { exitCodeFor } from './handle-error.js';

// `firedrill ... | head` closes stdout early; that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

try {
  const program = await buildProgram();
  await program.parseAsync(process.argv);
  if (process.exitCode === undefined) process.exitCode = 0;
} catch (err) {
  process.exitCode = exitCodeFor(err);
}
