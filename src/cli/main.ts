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

// Every command has finished its work and cleaned up by now. A socket or timer some library left open
// must not keep the process (and a CI job) waiting; the process registry's exit hook still runs.
setTimeout(() => process.exit(), 5000).unref();
