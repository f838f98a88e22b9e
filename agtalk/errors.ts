export type AgtalkErrorCode = 'AGTALK_WRITE_FAILED' | 'AGTALK_READ_FAILED' | 'AGTALK_WATCH_FAILED' | 'AGTALK_CLOSED';

/** agtalk is usable on its own, so it carries its own error class (same shape as agtest's). */
export class AgtalkError extends Error {
  override readonly name = 'AgtalkError';
  readonly code: AgtalkErrorCode;
  readonly file?: string;

  constructor(code: AgtalkErrorCode, message: string, context: { file?: string; cause?: unknown } = {}) {
    super(message, { cause: context.cause });
    this.code = code;
    this.file = context.file;
  }
}
