/** Load traffic goes to loopback unless the user says otherwise (--allow-remote). */
import { isIP } from 'node:net';

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host);
  return false;
}

/** The targets that are not loopback (URLs or host names; unparsable ones count as remote). */
export function remoteTargets(targets: readonly string[]): string[] {
  return targets.filter((target) => {
    if (URL.canParse(target)) return !isLoopbackHost(new URL(target).hostname);
    return !isLoopbackHost(target);
  });
}
