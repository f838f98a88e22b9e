import { AdapterError } from './errors.js';

/**
 * Typed readers over an adapter's flags as the process got them (strings; a bare flag is
 * `true`): a bad value is reported with the flag's name, never coerced.
 */
export function flagValues(flags: Record<string, string | boolean>) {
  const text = (name: string): string | undefined => {
    const value = flags[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new AdapterError('ADAPTER_INVALID_OPTION', `--${name} needs a value`);
    return value;
  };
  const number = (name: string): number | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new AdapterError('ADAPTER_INVALID_OPTION', `--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
    return Number(value);
  };
  return { text, number };
}
