import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// The console pages' libraries, read from their npm packages (Node, Bun, Deno): nothing is
// copied into the repository. Paths were checked against an allow-list by the route.

const require = createRequire(import.meta.url);
const roots: Record<string, () => string> = {
  novnc: () => dirname(dirname(require.resolve('@novnc/novnc'))),
  xterm: () => dirname(dirname(require.resolve('@xterm/xterm'))),
  'addon-attach': () => dirname(dirname(require.resolve('@xterm/addon-attach'))),
};
const inPackage: Record<string, (file: string) => string> = {
  novnc: (f) => f,
  xterm: (f) => (f.endsWith('.css') ? `css/${f}` : `lib/${f}`),
  'addon-attach': (f) => `lib/${f}`,
};

export async function consoleAsset(path: string): Promise<string | undefined> {
  const [pkg, ...rest] = path.split('/');
  const root = pkg ? roots[pkg] : undefined;
  const file = pkg ? inPackage[pkg] : undefined;
  if (!root || !file) return undefined;
  try {
    return await readFile(join(root(), file(rest.join('/'))), 'utf8');
  } catch {
    return undefined;
  }
}
