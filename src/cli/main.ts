import { buildProgram } from './program.js';
import { exitCodeFor } from './handle-error.js';

try {
  const program = await buildProgram();
  await program.parseAsync(process.argv);
  if (process.exitCode === undefined) process.exitCode = 0;
} catch (err) {
  process.exitCode = exitCodeFor(err);
}
