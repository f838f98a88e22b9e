/** The DIDComm protocol each cluster certifies, for discover-features disclosure checks. */
const PROTOCOLS: Record<string, { family: string; major: number }> = {
  'trust_ping.1_0': { family: 'trust_ping', major: 1 },
  'basicmessage.1_0': { family: 'basicmessage', major: 1 },
  'discover_features.1_0': { family: 'discover-features', major: 1 },
};

/** `trust_ping.1_0.passive` (or the cluster alone) → its protocol; undefined for non-protocol clusters. */
export function protocolOfCluster(junctionOrCluster: string): { family: string; major: number } | undefined {
  const cluster = junctionOrCluster.replace(/\.(active|passive)$/, '');
  return PROTOCOLS[cluster];
}

/** The clusters that certify a protocol family at a major version (the inverse of protocolOfCluster). */
export function clustersOfProtocol(family: string, major: number): string[] {
  return Object.entries(PROTOCOLS)
    .filter(([, protocol]) => protocol.family === family && protocol.major === major)
    .map(([cluster]) => cluster);
}
