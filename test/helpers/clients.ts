/**
 * Real clients (GDAL, QGIS, Chromium) are used where they exist. Without one, its tests are skipped with a
 * printed notice — except under CI=true, where .ci/run installs every client and a missing one is a failure.
 */
import { execFileSync } from 'node:child_process';

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** True if the client is here; otherwise prints a notice (or throws under CI) and returns false. */
export function requireClient(command: string, name: string): boolean {
  if (hasCommand(command)) return true;
  if (process.env.CI === 'true') throw new Error(`${name} (${command}) is missing under CI=true: .ci/run must install it`);
  console.warn(`NOTICE: ${name} (${command}) is not installed here: its tests are skipped`);
  return false;
}
