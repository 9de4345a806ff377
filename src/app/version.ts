import { readFileSync } from 'node:fs';

/**
 * Callsight's version: that of the first package.json named `callsight` from this file upward (the
 * same from the built dist/ and from the sources).
 */
export function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); ;) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'callsight' && pkg.version) return pkg.version;
    } catch {
      // No package.json here: look further up.
    }
    const parent = new URL('..', dir);
    if (parent.href === dir.href) return 'unknown';
    dir = parent;
  }
}
