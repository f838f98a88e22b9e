/**
 * The target allowlist: the service must not become a load cannon against third parties. A target
 * is allowed only when every address its host name resolves to is on the key's list (addresses
 * and CIDR ranges; names are not listed because a name can be re-pointed). The check runs before
 * any traffic, and the load then goes to the checked addresses (http: and https:), not to a fresh lookup.
 * Redirects are never followed by the load or the callbacks, so a 3xx cannot lead off the list.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AgtestError } from '../../common/index.js';

/** Host name → addresses. The system resolver in production; the same check runs on its answer. */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

export type TargetCheck = { ok: true; url: URL; addresses: string[] } | { ok: false; reason: string };

/** `::ffff:127.0.0.1` is 127.0.0.1: the mapped form must not slip past an IPv4 rule. */
function normalize(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, type: 'ipv4' };
  return { address, type: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Builds the matcher; throws on an entry that is neither an address nor a CIDR range. */
export function parseAllowlist(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = prefix === undefined ? undefined : Number(prefix);
    if (!family || extra !== undefined || (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128)))) {
      throw new AgtestError('AGTEST_SERVE_CONFIG_INVALID', `target allowlist entry ${JSON.stringify(entry)} is not an IP address or CIDR range (e.g. 127.0.0.1, 10.0.0.0/8, ::1)`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, bits, type);
  }
  return list;
}

/** Resolves the URL's host and checks every address; the reason names the address refused. */
export async function checkTarget(target: string, allowlist: readonly string[], resolve: Resolver = systemResolver): Promise<TargetCheck> {
  if (!URL.canParse(target)) return { ok: false, reason: `${JSON.stringify(target)} is not a URL` };
  const url = new URL(target);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `${url.protocol} URLs are not allowed (http and https only)` };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch (error) {
    return { ok: false, reason: `${host} does not resolve: ${(error as Error).message}` };
  }
  if (addresses.length === 0) return { ok: false, reason: `${host} does not resolve to any address` };
  const list = parseAllowlist(allowlist);
  const refused = addresses.filter((address) => {
    const n = normalize(address);
    return !list.check(n.address, n.type);
  });
  if (refused.length > 0) return { ok: false, reason: `${host} resolves to ${refused.join(', ')}, not on this key's target allowlist` };
  return { ok: true, url, addresses };
}
