export type ReferenceAgentErrorCode = 'UNKNOWN_FAULT' | 'INVALID_OPTION' | 'LISTEN_FAILED';

/** Raised when the agent cannot start as asked; `code` is stable, the message is for people. */
export class ReferenceAgentError extends Error {
  override readonly name = 'ReferenceAgentError';

  constructor(
    readonly code: ReferenceAgentErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
