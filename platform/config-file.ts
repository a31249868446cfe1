import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { type Config, ConfigError, parseConfig } from '../src/config/index.ts';

// Configuration for server runtimes (Node, Bun, Deno): a JSON or YAML file named by
// DICOT_CONFIG (or --config), inline JSON in DICOT_CONFIG_JSON, then env overrides.

type Env = Record<string, string | undefined>;

function readRaw(env: Env, argv: string[]): Record<string, unknown> {
  const flag = argv.indexOf('--config');
  const file = flag >= 0 ? argv[flag + 1] : env.DICOT_CONFIG;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([`DICOT_CONFIG: cannot read ${file}: ${(err as Error).message} (fix: point it at an existing file)`]);
    }
    try {
      return (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) ?? {};
    } catch (err) {
      throw new ConfigError([`${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`]);
    }
  }
  if (env.DICOT_CONFIG_JSON) {
    try {
      return JSON.parse(env.DICOT_CONFIG_JSON);
    } catch (err) {
      throw new ConfigError([`DICOT_CONFIG_JSON: not valid JSON: ${(err as Error).message}`]);
    }
  }
  return {};
}

/** Reads and validates the configuration; a ConfigError names each bad field and the fix. */
export function loadConfig(env: Env, argv: string[] = []): Config {
  const raw = readRaw(env, argv);
  if (env.DICOT_PUBLIC_URL) raw.publicUrl = env.DICOT_PUBLIC_URL;
  if (env.DICOT_HOST || env.DICOT_PORT) {
    const listen = { ...((raw.listen as object) ?? {}) } as Record<string, unknown>;
    if (env.DICOT_HOST) listen.hostname = env.DICOT_HOST;
    if (env.DICOT_PORT) {
      const port = Number(env.DICOT_PORT);
      listen.port = Number.isInteger(port) ? port : env.DICOT_PORT;
    }
    raw.listen = listen;
  }
  return parseConfig(raw);
}

/** Prints a configuration error for an operator and exits non-zero. */
export function exitOnConfigError(err: unknown, exit: (code: number) => never): never {
  if (err instanceof ConfigError) {
    console.error(`dicot: ${err.message}`);
    return exit(2);
  }
  throw err;
}
