/**
 * The connect guard: when `agtest serve` runs `agtest run` for a certify request, every connection
 * the run and its adapters make must stay on the calling key's target allowlist, and the names the
 * service checked must connect to the addresses it checked (no second lookup: a name re-pointed
 * between the check and the connection, DNS rebinding, is not followed). The service passes both
 * in one environment variable, inherited by every process the run starts. Without it (a plain
 * `agtest run`) nothing changes.
 *
 * Names the service pinned are answered from the pins; any other name (an interface an Agent
 * Card names, an endpoint an invitation names) is resolved and connected only when every address
 * is on the list, in the same lookup (the checked answer is the one connected to). Address
 * literals skip lookups, so `refusal()` checks them before the request.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export const CONNECT_GUARD_ENV = 'AGTEST_CONNECT_GUARD';

export interface ConnectGuardSpec {
  /** Host name → the addresses it was checked at. */
  pins: Record<string, string[]>;
  /** Addresses and CIDR ranges every connection must stay in. */
  allow: string[];
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type GuardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

export interface ConnectGuard {
  lookup: GuardedLookup;
  /** Why a connection to this URL is refused (an address literal off the list), or undefined. */
  refusal(url: URL): string | undefined;
}

const unmap = (address: string) => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;

function allowlist(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (!isIP(address)) continue;
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (address) => {
    const plain = unmap(address);
    return isIP(plain) !== 0 && list.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
  };
}

const refused = (message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code: 'EAI_AGAIN_REFUSED' });

export function createConnectGuard(spec: ConnectGuardSpec): ConnectGuard {
  const allowed = allowlist(spec.allow);
  const pins = new Map(Object.entries(spec.pins).map(([host, addresses]) => [host.toLowerCase(), addresses]));
  const answer = (addresses: string[], options: LookupOptions, callback: LookupCallback) => {
    const entries = addresses.map((address) => ({ address, family: isIP(address) }));
    const wanted = options.family === 4 || options.family === 6 ? entries.filter((entry) => entry.family === options.family) : entries;
    if (options.all) return callback(null, wanted.length ? wanted : entries);
    const first = wanted[0] ?? entries[0]!;
    callback(null, first.address, first.family);
  };
  return {
    lookup(hostname, options, callback) {
      const pinned = pins.get(hostname.toLowerCase());
      if (pinned && pinned.length > 0) return answer(pinned, options, callback);
      dnsLookup(hostname, { all: true, verbatim: true }, (error, found) => {
        if (error) return callback(error, '');
        const addresses = found.map((entry) => entry.address);
        const off = addresses.filter((address) => !allowed(address));
        if (addresses.length === 0 || off.length > 0) return callback(refused(`${hostname} resolves to ${off.join(', ') || 'nothing'}, not on the target allowlist: not connected`), '');
        answer(addresses, options, callback);
      });
    },
    refusal(url) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && !allowed(host)) return `${url.origin}: ${host} is not on the target allowlist: not connected`;
      return undefined;
    },
  };
}

let fromEnv: ConnectGuard | null | undefined;

/** The guard `agtest serve` set for this process tree, or undefined (read once). */
export function connectGuardFromEnv(): ConnectGuard | undefined {
  if (fromEnv === undefined) {
    const raw = process.env[CONNECT_GUARD_ENV];
    fromEnv = raw ? createConnectGuard(JSON.parse(raw) as ConnectGuardSpec) : null;
  }
  return fromEnv ?? undefined;
}
