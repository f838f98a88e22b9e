/** The flags every adapter program takes (agtest appends them to the configured command). */
export interface AdapterArgs {
  outbox: string;
  inbox: string;
  target: string;
  /** The adapter's own flags as given: `--retries 3` → `{ retries: '3' }`, `--verbose` → `{ verbose: true }`. */
  flags: Record<string, string | boolean>;
}

export interface AdapterFlagSpec {
  type: 'string' | 'boolean';
  /** For the usage text, e.g. `NUMBER  attempts after the first (default 5)`. */
  description?: string;
}

export type ParsedAdapterArgs = { ok: true; args: AdapterArgs } | { ok: false; problem: string };

const REQUIRED = ['outbox', 'inbox', 'target'] as const;

/**
 * Parses `--name value`, `--name=value` and bare `--flag`. With a spec, flags outside it are an
 * error (a typo should not be silently ignored); without one, every flag is passed through so a
 * third-party adapter can start with `runAdapterMain(create)` alone.
 */
export function parseAdapterArgs(argv: readonly string[], spec?: Readonly<Record<string, AdapterFlagSpec>>): ParsedAdapterArgs {
  const values: Record<string, string | boolean> = {};
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index]!;
    if (!token.startsWith('--') || token === '--') return { ok: false, problem: `unexpected argument ${JSON.stringify(token)}` };
    const equals = token.indexOf('=');
    const name = equals === -1 ? token.slice(2) : token.slice(2, equals);
    const inline = equals === -1 ? undefined : token.slice(equals + 1);
    const required = (REQUIRED as readonly string[]).includes(name);
    const declared = required ? { type: 'string' as const } : spec?.[name];
    if (spec && !declared) return { ok: false, problem: `unknown flag --${name}` };
    const next = argv[index + 1];
    const takesValue = declared ? declared.type === 'string' : next !== undefined && !next.startsWith('--');
    if (!takesValue) {
      if (inline !== undefined) return { ok: false, problem: `--${name} takes no value` };
      values[name] = true;
      continue;
    }
    if (inline !== undefined) values[name] = inline;
    else if (next !== undefined && !next.startsWith('--')) {
      values[name] = next;
      index++;
    } else return { ok: false, problem: `--${name} needs a value` };
  }
  const missing = REQUIRED.filter((name) => typeof values[name] !== 'string' || values[name] === '');
  if (missing.length > 0) return { ok: false, problem: `missing ${missing.map((name) => `--${name}`).join(', ')}` };
  const { outbox, inbox, target, ...flags } = values as Record<string, string | boolean> & Record<(typeof REQUIRED)[number], string>;
  return { ok: true, args: { outbox, inbox, target, flags } };
}

export function formatAdapterUsage(program: string, spec?: Readonly<Record<string, AdapterFlagSpec>>): string {
  const lines = [`usage: ${program} --outbox DIR --inbox DIR --target ENDPOINT [flags]`];
  for (const [name, flag] of Object.entries(spec ?? {})) {
    // A string flag's description starts with its value's placeholder: `N  retries (default 5)`.
    lines.push(`  --${name}${flag.description ? ` ${flag.description}` : flag.type === 'string' ? ' VALUE' : ''}`);
  }
  return lines.join('\n');
}
