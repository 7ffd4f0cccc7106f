/**
 * Whether a command is handling SIGINT/SIGTERM gracefully right now (run and corpus run recover faults
 * and finish what they were doing before they exit). Lower-level code with its own last-resort handler
 * (the temporary files of bundle/scratch.ts) stands back while one is, and lets the command's own
 * clean-up run; otherwise it cleans up and exits itself.
 */
let active = 0;

export function gracefulInterruptsActive(): boolean {
  return active > 0;
}

/** Marks a graceful handler as installed; call the returned function when it is removed. */
export function holdGracefulInterrupts(): () => void {
  active++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    active--;
  };
}
