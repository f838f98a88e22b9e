// The reference agent's modules import one way (STYLE.md: no import circles): a protocol or a
// plug-in sees the agent only through agent-api.ts. Type-only imports count: they are a circle too.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../reference-agent');
const IMPORT = /^\s*(?:import|export)\b[^'";]*?from\s+'(\.{1,2}\/[^']+)'/gm;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative imports inside the reference agent, as edges between its files. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(root)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts'))).filter((target) => target.startsWith(root));
    graph.set(file, targets);
  }
  return graph;
}

/** Every circle found by depth-first search, each as the files along it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].map((f) => (f.startsWith(root) ? path.relative(root, f) : f)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

t.test('the reference agent has no import circles', async (t) => {
  const graph = importGraph();
  t.ok(graph.size > 20, `read ${graph.size} modules`);
  t.same(cycles(graph), [], 'no module imports itself through others');
});

t.test('protocols import the agent interface, never the agent', async (t) => {
  const agent = path.join(root, 'agent.ts');
  for (const [file, targets] of importGraph()) {
    if (!file.includes(`${path.sep}protocols${path.sep}`) && !file.includes(`${path.sep}mediator${path.sep}`)) continue;
    t.notOk(targets.includes(agent), `${path.relative(root, file)} does not import agent.ts`);
  }
});

t.test('the cycle finder finds a circle', async (t) => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
  ]);
  t.equal(cycles(graph).length, 1, 'a → b → c → a');
});
