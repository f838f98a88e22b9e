import { compareMessageFiles, type MessageFileName } from './file-names.js';

/**
 * Message files waiting to be handled, kept sorted by ordinal. Names mostly arrive in order, so
 * an insert is an append and taking the lowest is taking the first: no scan per message.
 */
export class PendingFiles {
  private readonly sorted: MessageFileName[] = [];
  private head = 0;
  private readonly names = new Set<string>();

  add(file: MessageFileName): void {
    if (this.names.has(file.name)) return;
    this.names.add(file.name);
    let at = this.sorted.length;
    if (at > this.head && compareMessageFiles(this.sorted[at - 1]!, file) > 0) {
      let low = this.head;
      let high = at;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (compareMessageFiles(this.sorted[middle]!, file) <= 0) low = middle + 1;
        else high = middle;
      }
      at = low;
    }
    this.sorted.splice(at, 0, file);
  }

  /** The lowest ordinal waiting, without taking it. */
  peek(): MessageFileName | undefined {
    return this.sorted[this.head];
  }

  take(): MessageFileName | undefined {
    const file = this.sorted[this.head];
    if (!file) return undefined;
    this.head++;
    this.names.delete(file.name);
    // Drop the taken prefix now and then rather than shifting the array on every take.
    if (this.head > 1024 && this.head * 2 > this.sorted.length) {
      this.sorted.splice(0, this.head);
      this.head = 0;
    }
    return file;
  }
}
