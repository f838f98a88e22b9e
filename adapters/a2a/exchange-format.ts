/**
 * A2A over agtalk (see adapters/README.md, "The A2A adapter"). A2A is HTTP request/response, and
 * its checks need what plain message passing hides (status, headers, raw bodies that may not be
 * JSON, SSE events), so each agtalk `.json` file carries one HTTP exchange step, not a bare
 * JSON-RPC object. Files are named by agtalk; `request` refers to the outbox file's name.
 */
export interface A2aRequestFile {
  http: {
    method: 'GET' | 'POST';
    /** Absolute http(s) URL, or a path resolved against the adapter's --target. */
    url: string;
    headers?: Record<string, string>;
    /** `false`: send this request without the credentials agtest gave the adapter (a check that they are required). */
    credentials?: false;
  };
  /** Sent byte for byte (so a malformed JSON-RPC body can be sent on purpose). */
  body?: string;
}

/** What the adapter writes to the inbox. */
export type A2aInboxRecord =
  /** The answer (for SSE: written when the headers arrive, with `stream: true` and no body). */
  | {
      a2a: 'response';
      request: string;
      status: number;
      headers: Record<string, string>;
      body: string;
      stream?: true;
      /** Set when the adapter was given credentials: the (lower-cased) names of the credential headers it added to this request, values never. */
      credentials?: string[];
    }
  /** One SSE event of the stream `request` opened; `seq` counts from 1. */
  | { a2a: 'event'; request: string; seq: number; event?: string; id?: string; data: string }
  /** The stream closed (by the agent, or by the adapter after `reason`). */
  | { a2a: 'stream-end'; request: string; events: number; reason: 'closed' | 'timeout' | 'error'; detail?: string }
  /** No HTTP answer at all (unreachable, timed out, unusable request file). */
  | { a2a: 'failed'; request: string; reason: string }
  /** An HTTP request the agent sent to the adapter's endpoint (push notifications). */
  | { a2a: 'push'; method: string; path: string; headers: Record<string, string>; body: string };

export function parseA2aRequestFile(value: unknown): A2aRequestFile | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the file is not a JSON object';
  const { http, body } = value as { http?: unknown; body?: unknown };
  if (typeof http !== 'object' || http === null) return 'no "http" object';
  const { method, url, headers, credentials } = http as { method?: unknown; url?: unknown; headers?: unknown; credentials?: unknown };
  if (method !== 'GET' && method !== 'POST') return `http.method must be GET or POST, got ${JSON.stringify(method)}`;
  if (typeof url !== 'string' || url.length === 0) return 'http.url must be a non-empty string';
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string'))) {
    return 'http.headers must be an object of strings';
  }
  if (body !== undefined && typeof body !== 'string') return 'body must be a string (the exact bytes to send)';
  if (credentials !== undefined && credentials !== false) return 'http.credentials may only be false (send without the credentials)';
  return { http: { method, url, ...(headers ? { headers: headers as Record<string, string> } : {}), ...(credentials === false ? { credentials } : {}) }, ...(body !== undefined ? { body } : {}) };
}
