/**
 * The one error base of agtest. "The harness broke" is an AgtestError; "the agent failed a check"
 * is a test outcome (a value), never an exception.
 */
export type AgtestErrorCode =
  | 'AGTEST_CONFIG_NOT_FOUND'
  | 'AGTEST_CONFIG_INVALID'
  | 'AGTEST_CLAIM_UNKNOWN'
  | 'AGTEST_AGENT_START_FAILED'
  | 'AGTEST_AGENT_EXITED'
  | 'AGTEST_INTERRUPTED'
  | 'AGTEST_ADAPTER_START_FAILED'
  | 'AGTEST_ADAPTER_EXITED'
  | 'AGTEST_AGACT_FAILED'
  | 'AGTEST_AGACT_TIMEOUT'
  | 'AGTEST_AGACT_BAD_OUTPUT'
  | 'AGTEST_AGACT_BROKEN'
  | 'AGTEST_PROFILE_INVALID'
  | 'AGTEST_OUTPUT_FAILED'
  | 'AGTEST_OUTPUT_LOCKED'
  | 'AGTEST_PEER_FAILED'
  | 'AGTEST_ASK_TIMEOUT'
  | 'AGTEST_AGENT_UNREACHABLE'
  | 'AGTEST_LOAD_CONFIG_INVALID'
  | 'AGTEST_LOAD_REMOTE_TARGET'
  | 'AGTEST_LOAD_SCENARIO_FAILED'
  | 'AGTEST_LOAD_REPORT_INVALID'
  | 'AGTEST_LOAD_ROUTER_FAILED'
  | 'AGTEST_REQUIREMENTS_INVALID'
  | 'AGTEST_SERVE_DB_FAILED'
  | 'AGTEST_SERVE_CONFIG_INVALID'
  | 'AGTEST_SERVE_KEY_UNKNOWN'
  | 'AGTEST_INTERNAL';

export interface AgtestErrorContext {
  test?: string;
  file?: string;
  command?: readonly string[];
  adapter?: string;
  timedOut?: boolean;
  durationMs?: number;
  cause?: unknown;
}

export class AgtestError extends Error {
  override readonly name = 'AgtestError';
  readonly code: AgtestErrorCode;
  readonly test?: string;
  readonly file?: string;
  readonly command?: readonly string[];
  readonly adapter?: string;
  readonly timedOut?: boolean;
  readonly durationMs?: number;

  constructor(code: AgtestErrorCode, message: string, context: AgtestErrorContext = {}) {
    super(message, { cause: context.cause });
    this.code = code;
    this.test = context.test;
    this.file = context.file;
    this.command = context.command;
    this.adapter = context.adapter;
    this.timedOut = context.timedOut;
    this.durationMs = context.durationMs;
  }
}

export function isAgtestError(error: unknown): error is AgtestError {
  return error instanceof AgtestError;
}

/** A one-line description of any thrown value, for reasons and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
