export type AdapterErrorCode =
  /** A flag or option has a value the adapter cannot use (the process exits 2, like a usage error). */
  | 'ADAPTER_INVALID_OPTION'
  /** The transport's peer stayed unreachable through every retry. */
  | 'ADAPTER_TARGET_UNREACHABLE'
  /** The adapter could not read, write, move or watch its folders or journal. */
  | 'ADAPTER_IO_FAILED'
  /** start() failed for another reason (port in use, …). */
  | 'ADAPTER_START_FAILED';

/**
 * Errors raised inside an adapter. Adapters run as their own processes and import nothing of
 * agtest's runner, so they carry their own class; the launcher turns what they print into an
 * AgtestError on the runner side.
 */
export class AdapterError extends Error {
  override readonly name = 'AdapterError';
  readonly code: AdapterErrorCode;
  readonly file?: string;

  constructor(code: AdapterErrorCode, message: string, context: { file?: string; cause?: unknown } = {}) {
    super(message, { cause: context.cause });
    this.code = code;
    this.file = context.file;
  }
}
