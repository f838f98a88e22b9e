/**
 * The endpoints a DIDComm agent named during a certify run: the service endpoints of its
 * invitations (inline blocks, and the invitation inside an invitation URL), of its DID documents
 * (attached, base64 or not) and of its did:peer:2 / :4 DIDs, read from the run's transcripts
 * (the messages the agent sent, and its backchannel's answers such as create-invitation's).
 * The run never connects to them (DIDComm messages go to targetDetails.url only, and the connect
 * guard would refuse an address off the list), but a caller should learn that the agent points
 * elsewhere, and where: the certify result lists the ones off the key's allowlist.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { resolvePeerDid } from '../../envelopes/index.js';
import { checkTarget, type Resolver } from '../security/target-guard.js';

/** Most files and bytes read: a run's transcripts are small; a huge one is not worth the wait. */
const MAX_FILES = 2000;
const MAX_BYTES = 1_000_000;

function collect(value: unknown, found: Set<string>, depth = 0): void {
  if (depth > 40) return;
  if (typeof value === 'string') {
    if (/^did:peer:[24]/.test(value)) {
      try {
        for (const service of resolvePeerDid(value).services) found.add(service.serviceEndpoint);
      } catch (error) {
        void error; // not a resolvable did:peer: the suites judge it, nothing is named here
      }
    }
    const oob = URL.canParse(value) ? new URL(value).searchParams.get('oob') : null;
    if (oob) collectJson(Buffer.from(oob, 'base64url').toString('utf8'), found, depth + 1);
    return;
  }
  if (Array.isArray(value)) return value.forEach((item) => collect(item, found, depth + 1));
  if (!value || typeof value !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    if (key === 'serviceEndpoint' && typeof item === 'string') found.add(item);
    else if (key === 'base64' && typeof item === 'string') collectJson(Buffer.from(item, 'base64').toString('utf8'), found, depth + 1);
    else collect(item, found, depth + 1);
  }
}

function collectJson(text: string, found: Set<string>, depth: number): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    void error; // not JSON (a DID, a signature): nothing to read
    return;
  }
  collect(parsed, found, depth);
}

/** What the agent said: the messages it sent (`NN-received-…`, opened) and its backchannel's answers (agact outputs). */
async function agentSide(dir: string): Promise<{ file: string; agact: boolean }[]> {
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names
    .filter((name) => basename(name) === 'transcript.json' || /^\d+-received-.*\.json$/.test(basename(name)))
    .map((name) => ({ file: join(dir, name), agact: basename(name) === 'transcript.json' }))
    .slice(0, MAX_FILES);
}

/**
 * Every endpoint the agent named in the transcripts under `dir`, in the order first seen. Only
 * the agent's side is read: agtest's own messages and agact parameters name agtest's endpoint.
 */
export async function namedEndpoints(dir: string): Promise<string[]> {
  const found = new Set<string>();
  for (const { file, agact } of await agentSide(dir)) {
    const text = await readFile(file, 'utf8');
    if (text.length > MAX_BYTES) continue;
    if (!agact) {
      collectJson(text, found, 0);
      continue;
    }
    let entries: unknown;
    try {
      entries = JSON.parse(text);
    } catch (error) {
      void error; // a transcript cut short (the run was stopped): nothing to read in it
      continue;
    }
    for (const entry of Array.isArray(entries) ? entries : []) {
      if (entry && typeof entry === 'object' && entry.kind === 'agact') collect(entry.output, found);
    }
  }
  return [...found];
}

/** The named endpoints off the allowlist, each with the reason (ws: and wss: judged as http: and https:). */
export async function offListEndpoints(endpoints: readonly string[], allowlist: readonly string[], resolve: Resolver): Promise<{ endpoint: string; reason: string }[]> {
  const off: { endpoint: string; reason: string }[] = [];
  for (const endpoint of endpoints) {
    if (!URL.canParse(endpoint)) continue;
    const url = new URL(endpoint);
    const scheme = ({ 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' } as Record<string, string>)[url.protocol];
    // Other schemes (mailto:, didcomm:) are not connected to by the run at all.
    if (!scheme) continue;
    const check = await checkTarget(`${scheme}//${url.host}/`, allowlist, resolve);
    if (!check.ok) off.push({ endpoint, reason: check.reason });
  }
  return off;
}
