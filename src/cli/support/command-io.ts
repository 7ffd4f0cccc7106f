/**
 * Where a command writes: results on stdout, progress and warnings on stderr. Commands take one so tests
 * read what they would print; the process streams are the default.
 */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CommandIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};
