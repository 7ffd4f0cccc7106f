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

// Every command has finished its work and cleaned up by now, so leave explicitly. Letting the event loop
// drain instead was seen to spin forever in Node 20's environment teardown (uv_run inside
// CleanupHandles, 100 % CPU) after a run had stopped many child processes. Writes to stdout/stderr are
// synchronous on Linux for files, pipes and terminals, so nothing printed is lost; the process
// registry's exit hook still runs.
process.exit();
