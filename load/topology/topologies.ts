/**
 * Who talks to whom: the seed's topologies as undirected edges between agent numbers 0..n-1, with
 * the seed's edge counts (star n-1, mesh n(n-1)/2, ring n, line n-1, hierarchical n-1: a tree).
 * Messages go both ways along an edge, so each edge is two directed pairs.
 */
import { AgtestError } from '../../common/index.js';

export const TOPOLOGIES = ['star', 'mesh', 'ring', 'line', 'hierarchical'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export type Edge = readonly [number, number];

export function isTopology(name: string): name is Topology {
  return (TOPOLOGIES as readonly string[]).includes(name);
}

/** The undirected edges of `topology` over `n` agents (hierarchical: a tree, each node with `fanout` children). */
export function topologyEdges(topology: Topology, n: number, fanout = 2): Edge[] {
  if (!Number.isSafeInteger(n) || n < 2) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `a topology needs at least 2 agents, got ${n}`);
  if (!Number.isSafeInteger(fanout) || fanout < 1) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `--fanout must be a positive integer, got ${fanout}`);
  const edges: Edge[] = [];
  switch (topology) {
    case 'star':
      for (let i = 1; i < n; i += 1) edges.push([0, i]);
      break;
    case 'mesh':
      for (let i = 0; i < n; i += 1) for (let j = i + 1; j < n; j += 1) edges.push([i, j]);
      break;
    case 'ring':
      // Two agents make one pair, not two: a ring of 2 is a line.
      for (let i = 0; i < n; i += 1) if (n > 2 || i === 0) edges.push([i, (i + 1) % n]);
      break;
    case 'line':
      for (let i = 0; i + 1 < n; i += 1) edges.push([i, i + 1]);
      break;
    case 'hierarchical':
      for (let i = 1; i < n; i += 1) edges.push([Math.floor((i - 1) / fanout), i]);
      break;
    default:
      throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `unknown topology ${JSON.stringify(topology)}; known: ${TOPOLOGIES.join(', ')}`);
  }
  return edges;
}

/** Both directions of every edge, interleaved (a→b, b→a, …): message i goes along pair i mod length. */
export function directedPairs(edges: readonly Edge[]): Edge[] {
  return edges.flatMap(([a, b]): Edge[] => [
    [a, b],
    [b, a],
  ]);
}
