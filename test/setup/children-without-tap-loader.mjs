// Loaded into every test process (package.json tap.node-arg), after tap's own preloads.
//
// Tap puts its process-info loader (@tapjs/processinfo: the data behind coverage and `tap --changed`,
// neither used here, coverage is off) into NODE_OPTIONS of every process a test spawns, and its
// spawn hook puts it back on each spawn. In each spawned node it registers module hooks on a loader
// thread: measured +0.45 s of CPU and about +1 s of start-up per process on the 2 shared cores, and
// the suite spawns hundreds (agents, adapters, agact, the CLI). This takes it out of what the tests
// spawn; the test processes themselves keep it. Nothing a test asserts depends on it.
//
// The hook is the `process-on-spawn` package, which keeps its listeners on a global singleton
// (that is its published way to share one hook between copies); a listener added after tap's runs
// after it. Should a later tap not use it, this does nothing and the children are only slower.
// One argument as node-options-to-argv writes it: bare, or quoted whole ("--import=file:///...").
const LOADER = /(^|\s)(?:"--(?:import|loader|experimental-loader)[= ][^"]*@tapjs[\\/]processinfo[^"]*"|--(?:import|loader|experimental-loader)[= ](?:"[^"]*@tapjs[\\/]processinfo[^"]*"|\S*@tapjs[\\/]processinfo\S*))/g;

/** NODE_OPTIONS without tap's process-info loader; undefined when nothing is left. */
function withoutLoader(options) {
  const rest = options.replace(LOADER, '').trim();
  return rest === '' ? undefined : rest;
}

function strip(env) {
  if (typeof env.NODE_OPTIONS !== 'string') return;
  const rest = withoutLoader(env.NODE_OPTIONS);
  if (rest === undefined) delete env.NODE_OPTIONS;
  else env.NODE_OPTIONS = rest;
}

strip(process.env);
const hook = globalThis[Symbol.for('process-on-spawn@*:singletonId')];
if (hook && Array.isArray(hook.listeners)) hook.listeners.push((spawn) => strip(spawn.env));
