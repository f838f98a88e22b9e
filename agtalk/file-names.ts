import { randomBytes } from 'node:crypto';
import { isMessageExtension, type MessageExtension } from './media-types.js';

/** `000042--9f3c2a1b7d4e.dm`: ordinal first so that sorting by it gives the sending order. */
const MESSAGE_NAME = /^(\d{6,15})--([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9]{1,10})$/;

export interface MessageFileName {
  name: string;
  ordinal: number;
  id: string;
  extension: MessageExtension;
}

export type FileNameVerdict =
  | { kind: 'message'; file: MessageFileName }
  /** Dot-files (temporaries, state) and unknown extensions are not ours to read. */
  | { kind: 'ignored' }
  | { kind: 'garbage'; reason: string };

export function createFileId(): string {
  return randomBytes(6).toString('hex');
}

export function formatMessageFileName(ordinal: number, id: string, extension: MessageExtension): string {
  if (!Number.isSafeInteger(ordinal) || ordinal < 0) throw new RangeError(`ordinal must be a non-negative integer, got ${ordinal}`);
  return `${String(ordinal).padStart(6, '0')}--${id}.${extension}`;
}

export function classifyFileName(name: string): FileNameVerdict {
  if (name.startsWith('.')) return { kind: 'ignored' };
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1) : '';
  if (!isMessageExtension(extension)) return { kind: 'ignored' };
  const match = MESSAGE_NAME.exec(name);
  if (!match) {
    return { kind: 'garbage', reason: `file name is not <ordinal>--<id>.${extension} (expected e.g. 000001--a1b2c3.${extension})` };
  }
  return { kind: 'message', file: { name, ordinal: Number(match[1]), id: match[2]!, extension } };
}

export function compareMessageFiles(a: MessageFileName, b: MessageFileName): number {
  return a.ordinal - b.ordinal || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
