/** Message type URIs (Aries RFC 0020): `<prefix><family>/<major>.<minor>/<name>`. */
export const PREFIX = 'https://didcomm.org/';
export const LEGACY_PREFIX = 'did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/';

export interface ParsedType {
  family: string;
  major: number;
  minor: number;
  name: string;
}

const BODY = /^([A-Za-z0-9_.-]+)\/(\d+)\.(\d+)(?:\.\d+)?\/([A-Za-z0-9_.-]+)$/;

/** Strips either prefix; undefined for anything else. */
export function stripPrefix(uri: string): string | undefined {
  if (uri.startsWith(PREFIX)) return uri.slice(PREFIX.length);
  if (uri.startsWith(LEGACY_PREFIX)) return uri.slice(LEGACY_PREFIX.length);
  return undefined;
}

export function parseType(type: string): ParsedType | undefined {
  const rest = stripPrefix(type);
  const match = rest === undefined ? null : BODY.exec(rest);
  return match ? { family: match[1]!, major: Number(match[2]), minor: Number(match[3]), name: match[4]! } : undefined;
}

/**
 * Same family, major and name: how the backchannel filters types (any minor, either prefix, as
 * RFC 0003 tells a recipient to treat them). Types that do not parse must match exactly.
 */
export function sameType(a: string, b: string): boolean {
  const x = parseType(a);
  const y = parseType(b);
  if (x === undefined || y === undefined) return a === b;
  return x.family === y.family && x.major === y.major && x.name === y.name;
}
