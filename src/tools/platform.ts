import { existsSync } from 'node:fs';
import type { InstallHints, PlatformFamily } from './tool-spec.js';

/** Which install hint applies here: Debian and derivatives (apt), macOS (brew), or anything else. */
export function detectPlatform(
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): PlatformFamily {
  if (platform === 'darwin') return 'macos';
  if (platform === 'linux' && exists('/etc/debian_version')) return 'debian';
  return 'other';
}

export function installHint(hints: InstallHints, platform: PlatformFamily = detectPlatform()): string {
  return hints[platform];
}
