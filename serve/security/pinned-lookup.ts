/**
 * Pinning: the traffic goes to the addresses the target guard checked, not to a fresh lookup. A
 * name re-pointed between the check and the connection (DNS rebinding) cannot lead a connection
 * off the allowlist, because the connection never asks DNS again: its lookup answers from the
 * check's result, and refuses any other name. The URL keeps its name, so Host and TLS SNI are
 * the original ones (https is pinned too).
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent } from 'undici';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/** A lookup that knows only `host` and answers only the checked `addresses`. */
export function pinnedLookup(host: string, addresses: readonly string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  return (hostname, options, callback) => {
    if (hostname.toLowerCase() !== host.toLowerCase() || entries.length === 0) {
      const error: NodeJS.ErrnoException = Object.assign(new Error(`${hostname} was not checked against the target allowlist: not connected`), { code: 'ENOTFOUND' });
      return callback(error, '');
    }
    const wanted = options.family === 4 || options.family === 6 ? entries.filter((entry) => entry.family === options.family) : entries;
    if (options.all) return callback(null, wanted);
    const first = wanted[0] ?? entries[0]!;
    callback(null, first.address, first.family);
  };
}

/** An undici dispatcher whose connections go only to the checked addresses of the URL's host. */
export function pinnedDispatcher(url: URL, addresses: readonly string[]): Agent {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Agent({ connect: { lookup: pinnedLookup(host, addresses) } });
}
