import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the nearest package.json above a module (pass `import.meta.url`): the app's or the
 * library's root, whether the module runs from src/ (tests), dist/ (SWC output) or a bundle chunk in
 * dist/chunks/. Files that ship beside the code are found from there, never by counting `../`.
 */
export function packageRoot(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

/** Whether a module runs from its package's src/ (tests) rather than from the build output. */
export function runsFromSource(moduleUrl: string): boolean {
  return fileURLToPath(moduleUrl).startsWith(join(packageRoot(moduleUrl), 'src'));
}
