/**
 * Secrets the caller hands us for the target (an Authorization header, an API key) are used for the
 * load and never shown again: not in statuses, results, callbacks, logs or the generated JMX.
 */
export const REDACTED = '[redacted]';

/** Header names whose values are credentials. */
export function isSecretHeader(name: string): boolean {
  return /authorization|cookie|token|secret|password|passwd|api[-_]?key|session|auth|signature|credential/i.test(name);
}

export function redactHeaders(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return headers;
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, isSecretHeader(name) ? REDACTED : value]));
}

/** A deep copy with every `headers` object's secret values replaced. */
export function redactDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => redactDeep(item)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
        key,
        key === 'headers' && inner && typeof inner === 'object' && !Array.isArray(inner) ? redactHeaders(inner as Record<string, string>) : redactDeep(inner),
      ]),
    ) as T;
  }
  return value;
}
