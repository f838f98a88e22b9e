import t from 'tap';
import { directedPairs, TOPOLOGIES, topologyEdges } from '../../load/index.js';

const key = ([a, b]: readonly [number, number]) => `${Math.min(a, b)}-${Math.max(a, b)}`;

t.test("every topology has the seed table's edge count, no self-loop and no duplicate pair", async (t) => {
  for (const n of [2, 3, 5, 10, 17, 100]) {
    const expected = { star: n - 1, mesh: (n * (n - 1)) / 2, ring: n > 2 ? n : 1, line: n - 1, hierarchical: n - 1 };
    for (const topology of TOPOLOGIES) {
      const edges = topologyEdges(topology, n, 3);
      t.equal(edges.length, expected[topology], `${topology} of ${n}`);
      t.ok(edges.every(([a, b]) => a !== b && a >= 0 && b >= 0 && a < n && b < n), `${topology} of ${n}: edges between its agents`);
      t.equal(new Set(edges.map(key)).size, edges.length, `${topology} of ${n}: no pair twice`);
    }
  }
});

t.test('the shapes: star through hub 0, ring closes, line does not, hierarchical is a tree by fanout', async (t) => {
  t.ok(topologyEdges('star', 6).every(([a]) => a === 0), 'every star edge touches the hub');
  t.same(topologyEdges('ring', 4), [[0, 1], [1, 2], [2, 3], [3, 0]]);
  t.same(topologyEdges('line', 4), [[0, 1], [1, 2], [2, 3]]);
  t.same(topologyEdges('hierarchical', 7, 2), [[0, 1], [0, 2], [1, 3], [1, 4], [2, 5], [2, 6]], 'the seed diagram: 0 → 1, 2 → 3..6');
  t.same(topologyEdges('hierarchical', 5, 4), [[0, 1], [0, 2], [0, 3], [0, 4]], 'fanout 4: one level');
  // Every node but the root has exactly one parent: a tree connects everyone with n-1 edges.
  const parents = new Map<number, number>();
  for (const [, child] of topologyEdges('hierarchical', 40, 3)) parents.set(child, (parents.get(child) ?? 0) + 1);
  t.equal(parents.size, 39);
  t.ok([...parents.values()].every((c) => c === 1));
});

t.test('messages go both ways along each edge; bad sizes are refused', async (t) => {
  t.same(directedPairs([[0, 1], [0, 2]]), [[0, 1], [1, 0], [0, 2], [2, 0]]);
  t.throws(() => topologyEdges('mesh', 1), /at least 2 agents/);
  t.throws(() => topologyEdges('hierarchical', 5, 0), /--fanout must be a positive integer/);
  t.throws(() => topologyEdges('cube' as never, 5), /unknown topology "cube"; known: star, mesh, ring, line, hierarchical/);
});
