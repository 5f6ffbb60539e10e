import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const GENERATED = {
  TENANT_TOKEN_SECRET: () => randomBytes(32).toString('base64url'),
  SETTINGS_ENCRYPTION_KEY: () => `dev1:${randomBytes(32).toString('base64')}`,
  OPERATOR_API_KEY: () => `dev-operator-${randomBytes(18).toString('base64url')}`,
} as const;

export type DevSecrets = Record<keyof typeof GENERATED, string>;

function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values.set(match[1]!, match[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return values;
}

/** The values of an env file (`NAME=value` lines); none when it does not exist. */
export function readEnvFile(path: string): Map<string, string> {
  return parseEnvFile(existsSync(path) ? readFileSync(path, 'utf8') : '');
}

/** Reads the git-ignored .dev.vars and adds random secrets that are missing (existing ones stay). */
export function ensureDevSecrets(path: string, fromEnvironment: Partial<DevSecrets> = {}): DevSecrets {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const values = parseEnvFile(text);
  const added: string[] = [];
  for (const [name, make] of Object.entries(GENERATED) as [keyof DevSecrets, () => string][]) {
    if (!values.has(name)) {
      values.set(name, fromEnvironment[name] ?? make());
      added.push(`${name}="${values.get(name)}"`);
    }
  }
  if (added.length > 0) {
    const prefix =
      text === ''
        ? '# Development secrets, written by `npm run dev`. Git-ignored; never commit.\n'
        : text.endsWith('\n')
          ? ''
          : '\n';
    writeFileSync(path, `${text}${prefix}${added.join('\n')}\n`, { mode: 0o600 });
  }
  return Object.fromEntries(Object.keys(GENERATED).map((k) => [k, values.get(k)!])) as DevSecrets;
}

/** Writes an env file for wrangler's --env-file (used for throw-away stacks in tests and benchmarks). */
export function writeEnvFile(path: string, values: Record<string, string>): void {
  const lines = Object.entries(values).map(([k, v]) => `${k}="${v.replace(/"/g, '\\"')}"`);
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}
