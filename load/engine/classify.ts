/** Turns whatever a scenario threw into an error class a report can count. */
import { LoadStepError, type LoadErrorClass } from '../scenario.js';

export interface ClassifiedError {
  errorClass: LoadErrorClass;
  message: string;
  detail?: Record<string, unknown>;
}

const REFUSED = new Set(['ECONNREFUSED']);
const TRANSPORT = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function codeOf(error: unknown): string | undefined {
  let current: unknown = error;
  // Node and undici wrap the socket error in `cause` (fetch: TypeError → cause → Error{code}); a few levels suffice.
  for (let depth = 0; depth < 4 && current instanceof Object; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'LOAD_STEP_FAILED') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isLoadStepError(error: unknown): error is LoadStepError {
  // By code too: a scenario bundled with its own copy of scenario.ts still classifies.
  return error instanceof LoadStepError || (error instanceof Error && (error as { code?: unknown }).code === 'LOAD_STEP_FAILED' && typeof (error as { errorClass?: unknown }).errorClass === 'string');
}

export function classifyError(error: unknown): ClassifiedError {
  if (isLoadStepError(error)) return { errorClass: error.errorClass, message: error.message, ...(error.detail ? { detail: error.detail } : {}) };
  const message = error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error);
  const code = codeOf(error);
  if (code && REFUSED.has(code)) return { errorClass: 'refused', message, detail: { code } };
  if (code && TRANSPORT.has(code)) return { errorClass: 'transport', message, detail: { code } };
  if ((code && TIMEOUT.has(code)) || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) return { errorClass: 'timeout', message, ...(code ? { detail: { code } } : {}) };
  return { errorClass: 'other', message, ...(code ? { detail: { code } } : {}) };
}
