/**
 * The adapter kit. An adapter bridges the two agtalk folders to one transport. In-process it is an
 * object with this interface; as a program it is `runAdapterMain(createX)`, which turns the events
 * into JSON lines on stdout (the contract agtest's launcher reads).
 */
export interface AdapterContext {
  /** Folder agtest writes outgoing messages to: send them in ordinal order, delete each once accepted. */
  outbox: string;
  /** Folder to write incoming messages to, with agtalk's createMessageWriter. */
  inbox: string;
  /** Where the tested agent listens, in the adapter's own syntax (a URL for HTTP). */
  target: string;
  /** One human-readable line for the log (stderr in a process). */
  log(line: string): void;
  emit(event: AdapterEvent): void;
  /**
   * The adapter cannot go on (its peer stayed unreachable, its folders broke). The host stops it
   * and, in a process, exits non-zero with `<name> adapter: <message>` as the one stderr line.
   */
  fatal(error: Error): void;
}

export interface Adapter {
  readonly name: string;
  /** Starts sending and receiving; resolves with the inbound endpoint agents must send to. */
  start(context: AdapterContext): Promise<{ endpoint?: string }>;
  /** Stops taking new work, lets what is in flight finish briefly, releases ports and watchers. */
  stop(): Promise<void>;
}

/** Every line an adapter process prints on stdout is one of these, as JSON. The first is `ready`. */
export type AdapterEvent =
  | { type: 'ready'; adapter: string; endpoint?: string }
  | { type: 'sent'; file: string; status?: number; durationMs: number }
  | { type: 'received'; file: string; contentType: string; via: 'inbound' | 'return-route' }
  | { type: 'undeliverable'; file: string; status?: number; reason: string }
  /** One attempt at a file failed (an HTTP error status, or no answer) and will be repeated after `delayMs`. */
  | { type: 'retrying'; file: string; status?: number; reason: string; attempt: number; delayMs: number }
  /** The file may have reached the agent more than once (a send was cut off and repeated). */
  | { type: 'possible-duplicate'; file: string }
  | { type: 'warning'; message: string };

export type AdapterEventType = AdapterEvent['type'];
