/**
 * agtalk — the folder transport of HIPE 0015. One message is one file; the writer makes it
 * appear atomically under an ordinal name, the reader hands messages over in ordinal order.
 */
export { createMessageWriter } from './message-writer.js';
export type { MessageWriter, WrittenMessage } from './message-writer.js';
export { watchMessages, DEFAULT_GARBAGE_CAP } from './message-reader.js';
export type { MessageReader, MessageReaderOptions, ReceivedFile, GarbageFile } from './message-reader.js';
export { classifyFileName, formatMessageFileName, createFileId } from './file-names.js';
export type { MessageFileName, FileNameVerdict } from './file-names.js';
export { MEDIA_TYPES, extensionForMediaType, mediaTypeForExtension, isMessageExtension } from './media-types.js';
export type { MessageExtension, ExtensionLookupOptions } from './media-types.js';
export { AgtalkError } from './errors.js';
export type { AgtalkErrorCode } from './errors.js';
export { setStageSink, traceStage } from './stage-trace.js';
export type { StageSink } from './stage-trace.js';
