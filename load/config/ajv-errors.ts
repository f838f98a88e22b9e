/** ajv errors as one line each that names the key path, e.g. `load.vus must be >= 1`. */
import type { ErrorObject } from 'ajv';

/** `/http/endpoints/0/method` → `http.endpoints[0].method`, under `root` when given. */
export function keyPath(instancePath: string, root?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = root ?? '';
  for (const part of parts) path += /^\d+$/.test(part) ? `[${part}]` : path ? `.${part}` : part;
  return path || '(top level)';
}

export function describeAjvErrors(errors: readonly ErrorObject[], root?: string): string[] {
  const lines = errors
    // oneOf/anyOf repeat what their branches said.
    .filter((error) => error.keyword !== 'oneOf' && error.keyword !== 'anyOf' && error.keyword !== 'if')
    .map((error) => {
      const at = keyPath(error.instancePath, root);
      if (error.keyword === 'additionalProperties') return `${at} has an unknown key ${JSON.stringify(error.params['additionalProperty'])}`;
      if (error.keyword === 'required') return `${at} must have ${JSON.stringify(error.params['missingProperty'])}`;
      if (error.keyword === 'enum') return `${at} must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      return `${at} ${error.message ?? error.keyword}`;
    });
  return [...new Set(lines)];
}
