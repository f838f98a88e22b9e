import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawData } from 'ws';
import { createFileId, mediaTypeForExtension, type MessageWriter } from '../../agtalk/index.js';
import type { AdapterContext } from '../adapter.js';
import { extensionForFrame } from './frame-kind.js';

/** Frames that are not a message: kept (not lost, not read as messages) in a dot-folder. */
export const UNREADABLE_DIR = '.unreadable';

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Files every frame that arrives, on any socket, in the order it arrived (the writer keeps call
 * order), and reports it. `via` says whether it came on the connection agtest opened
 * (`return-route`: an answer on the same socket) or on one the agent opened (`inbound`).
 */
export function createFrameInbox(context: AdapterContext, inbox: MessageWriter) {
  return async (data: RawData, via: 'inbound' | 'return-route'): Promise<void> => {
    const bytes = toBuffer(data);
    const extension = extensionForFrame(bytes);
    try {
      if (!extension) {
        const dir = join(context.inbox, UNREADABLE_DIR);
        await mkdir(dir, { recursive: true });
        const name = `${createFileId()}.bin`;
        await writeFile(join(dir, name), bytes);
        context.emit({ type: 'warning', message: `a ${bytes.length}-byte frame (${via}) is not JSON, so not a message; kept as ${UNREADABLE_DIR}/${name}` });
        return;
      }
      const written = await inbox.write(bytes, extension);
      context.emit({ type: 'received', file: written.name, contentType: mediaTypeForExtension(extension), via });
    } catch (error) {
      context.fatal(new Error(`cannot write to the inbox ${context.inbox}: ${String(error)}`));
    }
  };
}
