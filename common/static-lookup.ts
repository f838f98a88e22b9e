/**
 * A lookup that answers some names from a fixed map instead of DNS (as curl's --resolve does): a
 * connection given it goes to those addresses while its URL keeps the name, so the Host header,
 * TLS SNI and the certificate check are the name's. `agtest serve` uses it to send the load to the
 * addresses its allowlist check saw (a name re-pointed afterwards, DNS rebinding, is not asked
 * again). Names not in the map are resolved as usual.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type StaticLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/** The map's addresses for a name (its own family first when one is asked for). */
function answer(addresses: readonly string[], options: LookupOptions, callback: LookupCallback): void {
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  const wanted = options.family === 4 || options.family === 6 ? entries.filter((entry) => entry.family === options.family) : entries;
  if (options.all) return callback(null, wanted.length > 0 ? wanted : entries);
  const first = wanted[0] ?? entries[0]!;
  callback(null, first.address, first.family);
}

/** `map`: host name (case-insensitive, IPv6 without brackets) → the addresses to connect to. */
export function staticLookup(map: Readonly<Record<string, readonly string[]>>): StaticLookup {
  const names = new Map(Object.entries(map).map(([host, addresses]) => [host.toLowerCase(), addresses]));
  return (hostname, options, callback) => {
    const pinned = names.get(hostname.toLowerCase());
    if (pinned && pinned.length > 0) return answer(pinned, options, callback);
    dnsLookup(hostname, { ...options, all: true }, (error, found) => (error ? callback(error, '') : answer(found.map((entry) => entry.address), options, callback)));
  };
}
