/** How to install a tool, per platform family; `detectPlatform()` picks one. */
export interface InstallHints {
  /** Debian/Ubuntu: an apt-get command where a package exists. */
  debian: string;
  macos: string;
  other: string;
}

/** A program firedrill runs, how to recognise it and how to get it. */
export interface ToolSpec {
  /** Name used in messages and by `firedrill doctor`. */
  name: string;
  /** What firedrill uses it for, one short phrase. */
  purpose: string;
  /** Executable names tried in order (Debian renames some, e.g. prometheus-alertmanager). */
  candidates: readonly string[];
  /**
   * Directories searched after PATH and the usual extra ones, for packages that keep their programs off
   * PATH (Debian's /usr/lib/postgresql/<major>/bin). A `*` path segment matches any directory, the highest
   * version first.
   */
  dirs?: readonly string[];
  versionArgs: readonly string[];
  /** Applied to stdout + stderr of the version command; group 1 is the version. */
  versionPattern: RegExp;
  install: InstallHints;
  /** Lowest version that works (dotted numbers compared numerically). */
  minVersion?: string;
}

export type PlatformFamily = keyof InstallHints;
