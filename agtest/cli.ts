#!/usr/bin/env node
/** The only file that touches process.argv and exit codes. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isAgtestError } from '../common/index.js';
import { BUILTIN_TRANSPORTS, type BuiltinTransport } from './config/builtin-transports.js';
import type { HarnessConfig } from './config/load-config.js';
import type { LoadFlags } from '../load/index.js';

// Start-up is most of a short command's cost (tests and scripts start the CLI many times): each
// command loads only the modules it uses, when it runs. The modules whose names appear in option
// help (faults, suite URIs) are loaded before parsing, and only when their command is on the line,
// since a command's builder (its help) runs only when that command is asked for.
const referenceAgent = () => import('../reference-agent/index.js');
const suitesModule = () => import('../suites/index.js');
const defaultConfig = () => import('./config/default-config.js');
/** Set once the profile commands are loaded: only they throw IncomparableProfilesError. */
let profilesModule: typeof import('../profiles/index.js') | undefined;

const EXIT = { interoperable: 0, notInteroperable: 1, harnessError: 2 } as const;

interface ConfigArgs {
  config?: string;
  suite?: 'didcomm-v1' | 'a2a';
  a2a?: string;
  'a2a-header'?: string[];
  'a2a-header-env'?: string[];
  fault?: string[];
  only?: string[];
  transport?: BuiltinTransport;
}

/**
 * The credentials of --a2a-header 'Name: value' and --a2a-header-env Name=VARIABLE (read now), by
 * name. Errors quote the flag but never a value.
 */
function credentialFlags(args: ConfigArgs, env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  const add = (flag: string, name: string, value: string) => {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`${flag}: ${JSON.stringify(name)} is not an HTTP header name`);
    if (/[\r\n\0]/.test(value)) throw new UsageError(`${flag} ${name}: the value holds a line break or NUL, which no HTTP header value may`);
    const twice = Object.keys(headers).find((known) => known.toLowerCase() === name.toLowerCase());
    if (twice) throw new UsageError(`${flag}: the header ${name} is given twice (header names are case-insensitive)`);
    headers[name] = value;
  };
  for (const header of args['a2a-header'] ?? []) {
    const colon = header.indexOf(':');
    // Only the name is quoted back: what follows the colon may be the secret.
    if (colon < 1 || header.slice(colon + 1).trim() === '') throw new UsageError(`--a2a-header must be 'Name: value' (e.g. 'Authorization: Bearer …'), got one ${colon < 1 ? 'without a name and a colon' : `with no value after ${JSON.stringify(header.slice(0, colon).trim())}:`}`);
    add('--a2a-header', header.slice(0, colon).trim(), header.slice(colon + 1).trim());
  }
  for (const pair of args['a2a-header-env'] ?? []) {
    const equals = pair.indexOf('=');
    if (equals < 1 || equals === pair.length - 1) throw new UsageError(`--a2a-header-env must be Name=VARIABLE (e.g. Authorization=AGTEST_A2A_TOKEN, the variable holding the whole value "Bearer …"), got ${JSON.stringify(pair)}`);
    const name = pair.slice(0, equals).trim();
    const variable = pair.slice(equals + 1).trim();
    const value = env[variable];
    if (value === undefined || value === '') throw new UsageError(`--a2a-header-env ${name}=${variable}: the environment variable ${variable} is not set (or empty)`);
    add('--a2a-header-env', name, value.trim());
  }
  return Object.keys(headers).length > 0 ? headers : undefined;
}

/** Flags override the config's headers of the same name (case-insensitive); the others stay. */
function withCredentials(config: HarnessConfig, flags: Record<string, string> | undefined): HarnessConfig {
  if (!flags) return config;
  if (config.suite !== 'a2a') throw new UsageError('--a2a-header and --a2a-header-env give credentials to an A2A agent (--a2a URL, or a config with "suite": "a2a")');
  const overridden = new Set(Object.keys(flags).map((name) => name.toLowerCase()));
  const kept = Object.entries(config.agent.headers ?? {}).filter(([name]) => !overridden.has(name.toLowerCase()));
  return { ...config, agent: { ...config.agent, headers: { ...Object.fromEntries(kept), ...flags } } };
}

async function resolveConfig(args: ConfigArgs): Promise<HarnessConfig> {
  return withCredentials(await resolveBaseConfig(args), credentialFlags(args));
}

async function resolveBaseConfig(args: ConfigArgs): Promise<HarnessConfig> {
  const [{ A2A_FAULTS, FAULTS }, { a2aAgentConfig, referenceA2aAgentConfig, referenceAgentConfig }, { loadConfigFile }] = await Promise.all([referenceAgent(), defaultConfig(), import('./config/load-config.js')]);
  const faults = args.fault ?? [];
  if (args.a2a !== undefined) {
    if (args.config || faults.length > 0 || args.transport) throw new UsageError('--a2a URL names the agent by itself: it cannot be combined with --config, --fault or --transport');
    if (!URL.canParse(args.a2a) || !/^https?:$/.test(new URL(args.a2a).protocol)) throw new UsageError(`--a2a must be the agent's http(s) base URL or its Agent Card's URL, got ${JSON.stringify(args.a2a)}`);
    const config = a2aAgentConfig(args.a2a);
    return args.only && args.only.length > 0 ? { ...config, only: args.only } : config;
  }
  const a2aReference = args.suite === 'a2a';
  const known = a2aReference ? A2A_FAULTS : FAULTS;
  const unknown = faults.filter((fault) => !Object.hasOwn(known, fault));
  if (unknown.length > 0) throw new UsageError(`unknown fault ${unknown.join(', ')} for the ${a2aReference ? 'reference A2A agent' : 'reference agent'}; known: ${Object.keys(known).join(', ')}`);
  const path = args.config ?? (!a2aReference && existsSync('agtest.config.json') ? 'agtest.config.json' : undefined);
  if (path && faults.length > 0) throw new UsageError('--fault switches the built-in reference agent; it cannot be combined with a config file');
  if (path && a2aReference && args.config) throw new UsageError('--suite a2a runs the built-in reference A2A agent; with a config, say "suite": "a2a" in it');
  if (a2aReference && args.transport) throw new UsageError('the A2A suite runs over the a2a adapter; --transport is for DIDComm');
  let config = path
    ? await loadConfigFile(resolve(path), dirname(resolve(path)))
    : a2aReference
      ? referenceA2aAgentConfig({ faults })
      : referenceAgentConfig({ faults, transport: args.transport });
  if (path && args.transport) config = { ...config, transport: { ...config.transport, adapter: args.transport, command: undefined } };
  return args.only && args.only.length > 0 ? { ...config, only: args.only } : config;
}

class UsageError extends Error {}

const withConfig = <T>(y: Argv<T>, { A2A_FAULTS, FAULTS }: Awaited<ReturnType<typeof referenceAgent>>) =>
  y
    .option('config', { alias: 'c', type: 'string', describe: 'Harness config (JSON). Default: ./agtest.config.json if present, else the built-in reference agent' })
    .option('suite', { choices: ['didcomm-v1', 'a2a'] as const, describe: 'With no config: which built-in reference agent to certify, DIDComm v1 (default) or A2A' })
    .option('a2a', { type: 'string', describe: "Certify the A2A agent at this URL, no config needed: its base URL (card at /.well-known/agent-card.json, else the legacy /.well-known/agent.json) or its Agent Card's own URL" })
    .option('a2a-header', {
      type: 'string',
      array: true,
      describe: "A2A: a credential header for the agent, 'Name: value' (repeatable), e.g. 'Authorization: Bearer …'. Sent with every request to the agent's origin (the URL of --a2a or agent.endpoint), never elsewhere; never written to transcripts, profile, JUnit, logs or the console. Prefer --a2a-header-env: a value on the command line is in shell history and ps",
    })
    .option('a2a-header-env', {
      type: 'string',
      array: true,
      describe: 'A2A: a credential header whose value is read from an environment variable, Name=VARIABLE (repeatable), e.g. Authorization=AGTEST_A2A_TOKEN with AGTEST_A2A_TOKEN="Bearer …". Config: agent.headers {"Authorization": {"env": "AGTEST_A2A_TOKEN"}}',
    })
    .option('only', { type: 'string', array: true, describe: 'Run only tests whose dot-name is or starts with this (repeatable)' })
    .option('transport', {
      alias: 't',
      choices: BUILTIN_TRANSPORTS,
      describe: 'Built-in adapter to use (overrides transport in the config); with the built-in reference agent it switches the agent too',
    })
    .option('fault', {
      type: 'string',
      array: true,
      describe: `Built-in reference agent only: switch on a named misbehaviour (repeatable). DIDComm: ${Object.keys(FAULTS).join(', ')}. A2A (--suite a2a): ${Object.keys(A2A_FAULTS).join(', ')}`,
    });

async function main(argv: string[]): Promise<number> {
  // The load engine and the service bring many libraries (express, the A2A SDK, SQLite): only the
  // commands that use them load them (a command's builder runs only when that command is asked for).
  const load = argv.includes('load') || argv.includes('receive') ? await import('../load/index.js') : undefined;
  const serve = argv.includes('serve') ? await import('../serve/index.js') : undefined;
  const agent = argv.includes('run') || argv.includes('list') ? await referenceAgent() : undefined;
  const suites = argv.includes('profile') ? await suitesModule() : undefined;
  const parser = yargs(argv)
    .scriptName('agtest')
    .usage('$0 <command> [options]\n\nCertify how well a messaging agent interoperates (HIPE 0015): run the suites the agent claims and get an interop profile.')
    .command(
      'run',
      'Run the claimed suites against the agent and write profile.json, junit.xml and transcripts/',
      (y) =>
        withConfig(y, agent!)
          .option('out', { alias: 'o', type: 'string', default: 'agtest-out', describe: 'Output folder (profile.json, junit.xml, transcripts/, agtalk/)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the profile JSON on stdout instead of the readable report' })
          .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: "Show the agent's and the adapter's stderr" })
          .option('timing', { type: 'boolean', default: false, describe: 'Print where the run\'s time went: agent and adapter start, each junction (its agact calls, silence windows, connection step), stop (on stderr with --json)' })
          .epilogue(
            'Exit codes: 0 every claimed junction is interoperable, 1 at least one is not (or nothing could be tested: every test blocked or not run), 2 the harness failed (bad config, unreachable agent, the agent or an adapter died, broken agact), 130 / 143 stopped by Ctrl-C / SIGTERM.\n' +
              'A run that stops early (a fault, Ctrl-C) still stops what it started and writes profile.json and junit.xml with the finished tests, marked "interrupted" with the cause; the tests not reached are not-run. The agent\'s and the adapter\'s stderr are in OUT/logs/.\n' +
              'With no config, agtest starts its built-in reference agent and HTTP adapter, certifies it, and stops them.\n' +
              'A2A: --a2a URL certifies the Agent2Agent agent at URL, a base URL or its card\'s URL (v1.0 and v0.3, whatever its card declares; no usable card: the card test fails, the rest is blocked); --suite a2a certifies the built-in reference A2A agent. ' +
              'An A2A agent that requires credentials gets them with --a2a-header / --a2a-header-env (config: agent.headers); refused with 401 / 403 while its card declares security, its tests are blocked for credentials (exit 1), not failed.',
          ),
    )
    .command('list', 'List the suites and tests, marking those the agent claims; --rules: every check with its requirement level and citation', (y) =>
      withConfig(y, agent!)
        .option('rules', { type: 'boolean', default: false, describe: 'List every check (rule) of every test: id, level (MUST / SHOULD / MAY / policy), citation, what it checks. Only MUST violations fail a test' })
        .option('format', { choices: ['text', 'markdown', 'json'] as const, default: 'text', describe: 'With --rules: how to print the table' }),
    )
    .command('coverage', 'Per spec and per junction: how many MUSTs of the specs agtest tests have a check, which have none, and why', (y) =>
      y
        .option('spec', { type: 'string', describe: 'Only this spec (a requirement map id: a2a-v1.0, a2a-v0.3, jsonrpc-2.0, aries-rfc-0048, …)' })
        .option('junction', { type: 'string', describe: 'Only the requirements mapped to this junction, e.g. a2a.v1_0.tasks.passive' })
        .option('unchecked', { type: 'boolean', default: false, describe: 'List every unchecked MUST: spec, section, id, quote, reason and why' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the coverage as JSON (schema_version 1; shape in the README, "Coverage")' })
        .example('$0 coverage', 'the tables: every spec, every junction')
        .example('$0 coverage --spec a2a-v1.0 --unchecked', 'A2A v1.0, with each MUST that has no check')
        .epilogue(
          'Reads the requirement maps shipped in suites/requirements/ (one per spec: every MUST / SHOULD / MAY with its section and quote, mapped to the check ids of `agtest list --rules` or marked unchecked with a reason). ' +
            'MUSTs counts MUST and MUST NOT; "observable" is checked + unchecked "not-yet" (a check could see it from outside); coverage = checked / observable. ' +
            'The other reasons (needs-auth, needs-second-agent, needs-operator, not-observable, client-side, out-of-scope) say why no check can exist. ' +
            'A junction with MUSTs mapped to it but unchecked says so in the profile: "interoperable (N of M MUSTs checked)".\n' +
            'Exit codes: 0 the report; 2 a map is invalid (schema, a check id or junction agtest does not have, a MUST mapped to a weaker check; named by file and JSON path) or --spec / --junction names nothing in the maps.',
        ),
    )
    .command('profile', 'Validate and compare interop profiles', (y) =>
      y
        .command('validate <files..>', 'Check profiles: schema, score syntax, and junction/test names of the suite version (errors by key path). Exit 1 if any is invalid', (v) =>
          v.positional('files', { type: 'string', array: true, describe: 'profile JSON files' }),
        )
        .command('compare <a> <b>', 'Per junction: can the two agents interoperate? Refuses profiles of different suites (exit 2)', (v) =>
          v
            .positional('a', { type: 'string', describe: "agent A's profile" })
            .positional('b', { type: 'string', describe: "agent B's profile" })
            .option('json', { type: 'boolean', default: false, describe: 'Print the comparison as JSON' }),
        )
        .command('ask <endpoint>', "Ask an agent for its interop profile(s) (agent-metadata 1.0, docs/agent-metadata-1.0.md), print and validate them. Exit 1 if it answers with a problem or an invalid profile, 2 if it cannot be reached or does not answer", (v) =>
          v
            .positional('endpoint', { type: 'string', describe: "the agent's DIDComm endpoint (http://, ws://) or, with --transport plain, its HTTP URL" })
            .option('suite', { type: 'string', array: true, default: [suites!.DIDCOMM_V1_SUITE_URI], describe: 'Suite URI to ask for (repeatable: one batch request)' })
            .option('transport', { alias: 't', choices: [...BUILTIN_TRANSPORTS.filter((t) => t !== 'smtp'), 'plain'], default: 'http', describe: 'Built-in adapter carrying a DIDComm request (reply by return route), or plain: POST the plain JSON form' })
            .option('timeout-ms', { type: 'number', default: 10_000, describe: 'How long to wait for the answer' })
            .option('to', { type: 'string', describe: "The agent's key (did:key:z6Mk… or base58 verkey): send the request in an RFC 0019 Authcrypt envelope to it, for agents that refuse plaintext (not with -t plain)" })
            .option('json', { type: 'boolean', default: false, describe: 'Print the answer as it came (unpacked, if it came in an envelope)' }),
        )
        .demandCommand(1, 'Say which: agtest profile validate FILE…, agtest profile compare A B, or agtest profile ask ENDPOINT'),
    )
    .command('load', 'Put load on an agent (closed or open model) and measure it: latency from the intended start, per step, in HDR histograms; thresholds set the exit code', (y) =>
      y
        .command(
          'merge <files..>',
          'Merge load reports (shards of one run) by adding their histograms and counters; thresholds are checked once, on the merge. Also merges the shards of an agtest load topology sweep into one topology report (every shard needed; exit 1 if a merged run lost a ping)',
          (v) =>
            v
              .positional('files', { type: 'string', array: true, describe: 'load report JSON files' })
              .option('threshold', { alias: 't', type: 'string', array: true, describe: "Threshold to check (repeatable); default: the first report's config thresholds" })
              .option('out', { alias: 'o', type: 'string', describe: 'Write the merged report (JSON) here' })
              .option('html', { type: 'string', describe: 'Write a self-contained HTML report here' })
              .option('junit', { type: 'string', describe: 'Write JUnit XML here: one case per threshold' })
              .option('json', { type: 'boolean', default: false, describe: 'Print the merged report JSON instead of the summary' })
              .epilogue('Exit codes: 0 every threshold met, 1 one is not, 2 a report is unreadable, invalid, of another scenario, or the same shard twice.'),
        )
        .command(
          'topology',
          'Virtual agents in a topology through a mediator: each mediated over its own WebSocket (Aries RFC 0211, pickup 2.0 live mode), trust pings wrapped in forward (RFC 0094); swept over agents × messages × topologies × intervals × repeats',
          (v) =>
            v
              .usage('$0 load topology [--router URL] [--quick | --agents 10,50,100 --messages 100,500,1000] [--topologies star,mesh,ring] [--intervals 10,100] [--repeat 3] [--output results.json]')
              .option('router', { type: 'string', describe: "The mediator: its out-of-band invitation URL (…?oob=…; every agent uses it, so it must be multi-use) or an HTTP URL that answers with one (GET, else POST {\"action\":\"create-invitation\"}; one per agent). Default: the built-in reference mediator, started and stopped by agtest" })
              .option('agents', { type: 'string', describe: `Agent counts, comma-separated (default ${load!.TOPOLOGY_DEFAULTS.agents})` })
              .option('messages', { type: 'string', describe: `Messages (trust ping round trips) per run, comma-separated (default ${load!.TOPOLOGY_DEFAULTS.messages})` })
              .option('topologies', { type: 'string', describe: `Comma-separated, of ${load!.TOPOLOGIES.join(', ')} (default ${load!.TOPOLOGY_DEFAULTS.topologies})` })
              .option('intervals', { type: 'string', describe: `Mean gap between one agent's sends, ms, comma-separated: a run sends agents × 1000 / interval pings per second (default ${load!.TOPOLOGY_DEFAULTS.intervals})` })
              .option('repeat', { type: 'number', describe: `Runs per cell (default ${load!.TOPOLOGY_DEFAULTS.repeat})` })
              .option('fanout', { type: 'number', describe: `Children per node in the hierarchical topology (default ${load!.TOPOLOGY_DEFAULTS.fanout})` })
              .option('quick', { type: 'boolean', default: false, describe: `A fast sweep: ${load!.TOPOLOGY_QUICK.agents} agents, ${load!.TOPOLOGY_QUICK.messages} messages` })
              .option('timeout', { type: 'string', describe: `A ping not answered within this is lost (counted as a timeout error; default ${load!.TOPOLOGY_DEFAULTS.timeout})` })
              .option('max-in-flight', { type: 'number', describe: `Most pings unanswered at once; an arrival past it is dropped and counted (default ${load!.TOPOLOGY_DEFAULTS.maxInFlight})` })
              .option('fault', { type: 'string', array: true, describe: 'Built-in reference mediator only: switch on a named misbehaviour (repeatable), e.g. forward-drop, or a load fault: drop-connections-every=N (every connection dropped after each Nth forward), forward-delay-ms=N (each forward held N ms, one after another)' })
              .option('unregistered', { type: 'number', describe: 'Agents 1..K skip keylist-update (an agent fault): the mediator must deliver nothing for them, so every ping on their edges is lost; a mediator that delivers anyway shows as misdelivered' })
              .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow a mediator that is not on loopback (refused otherwise)' })
              .option('shard', { type: 'string', describe: 'Run shard i of N (i/N, 1-based), one process each, all with the same flags and --router: this one sets up the agents whose number ≡ i-1 mod N and sends their pings; pings to other shards\' agents go through the mediator. Merge the reports with agtest load merge' })
              .option('shard-dir', { type: 'string', describe: 'With --shard: a fresh directory every shard sees; each writes its agents\' DIDs there after setup, and the shards wait for one another there before each run and at the end' })
              .option('shard-wait', { type: 'string', describe: 'With --shard: how long a shard waits for the others at each of those points (default 60s); past it, exit 2 naming the missing shard' })
              .option('output', { alias: 'o', type: 'string', describe: 'Write the report (JSON, topology-report.schema.json) here' })
              .option('html', { type: 'string', describe: 'Write a self-contained HTML report here (throughput by topology, p99 by agent count)' })
              .option('json', { type: 'boolean', default: false, describe: 'Print the report JSON instead of the summary' })
              .example('$0 load topology --quick', 'the quick sweep against the built-in reference mediator')
              .example('$0 load topology --router "http://127.0.0.1:3001/invitation" --agents 10,50 --topologies star,mesh --messages 100 -o results.json', 'a mediator of your own, by the URL that gives its invitation')
              .example('$0 load topology --router URL --agents 2000 --messages 1000 --topologies ring --shard 1/2 --shard-dir /shared/run1 -o s1.json  (and --shard 2/2 … -o s2.json); $0 load merge s1.json s2.json -o results.json', 'past one machine: two shards against one mediator, merged')
              .epilogue(
                'Each virtual agent has its own keys and a did:peer:2 whose service routes through the mediator (the grant\'s routing keys); a message is a trust ping packed for its recipient, wrapped in forward for the routing key and sent to the mediator, and the ping_response comes back the same way. ' +
                  'Latency is from the intended send time (open model: a slow mediator\'s queueing is not hidden) to the answer. An agent whose socket drops reconnects and picks up what the mediator queued (pickup 2.0 delivery-request). ' +
                  'A ping not answered within --timeout is lost and counted. Exit codes: 0 every run succeeded (every ping answered), 1 some did not, 2 harness failure (bad flags, a router that cannot be used: the failed step is named, stopped early).',
              ),
        )
        .command(
          '$0',
          'Run a load',
          (v) =>
            v
              .usage('$0 load [--config load.json] [--scenario NAME] [--url URL] (--vus N | --rate R [--stages …]) (--duration D | --iterations N) [options]')
              .option('config', { alias: 'c', type: 'string', describe: 'Load config (JSON): scenario, its block, load, thresholds, health. Flags override it' })
              .option('scenario', { alias: 's', type: 'string', describe: `What one iteration does: ${load!.scenarioNames().join(', ')}` })
              .option('url', { type: 'string', describe: 'http scenario: the URL to load (loopback unless --allow-remote)' })
              .option('method', { type: 'string', describe: 'http scenario: request method (default GET)' })
              .option('header', { type: 'string', array: true, describe: 'http scenario: "Name: value" (repeatable)' })
              .option('body', { type: 'string', describe: 'http scenario: request body' })
              .option('expect', { type: 'number', array: true, describe: 'http scenario: expected status (repeatable; default any 2xx)' })
              .option('vus', { type: 'number', describe: 'Closed model: this many virtual users, each running iterations back to back' })
              .option('rate', { type: 'number', describe: 'Open model: arrivals per second (with --stages: the rate the first stage ramps from)' })
              .option('stages', { type: 'string', describe: 'Open model: ramping stages DURATION:RATE,… e.g. 5s:100,20s:100,5s:0' })
              .option('max-in-flight', { type: 'number', describe: 'Open model: most iterations running at once (default 1000); arrivals past it wait --max-start-delay, then are dropped' })
              .option('max-start-delay', { type: 'string', describe: 'Open model: how long an arrival may wait for a free slot (default 0: dropped at once); its latency counts the wait' })
              .option('duration', { alias: 'd', type: 'string', describe: 'Stop starting iterations after this long (e.g. 30s, 2m)' })
              .option('iterations', { alias: 'n', type: 'number', describe: 'Stop after this many iterations (the whole run; a shard runs its slice)' })
              .option('think', { type: 'string', describe: 'Closed model: pause between a virtual user\'s iterations (default 0)' })
              .option('timeout', { type: 'string', describe: 'Per-iteration timeout (default 10s): counted as a timeout error' })
              .option('graceful-stop', { type: 'string', describe: 'How long running iterations may finish after the end (default: the timeout); then interrupted' })
              .option('threshold', { alias: 't', type: 'string', array: true, describe: 'Pass/fail rule (repeatable): "p99(total) < 500ms", "p99(STEP, service) < 1s", "errors.rate < 1%", "errors.timeout == 0", "dropped == 0", "throughput >= 100"' })
              .option('shard', { type: 'string', describe: 'Run shard i of N (i/N, 1-based): the iterations whose index ≡ i-1 mod N; merge the reports with agtest load merge' })
              .option('max-loop-p99', { type: 'string', describe: 'Suspect-run bound: event-loop delay p99 (default 50ms)' })
              .option('max-cpu', { type: 'number', describe: 'Suspect-run bound: agtest CPU, percent of one core, mean over the run (default 90)' })
              .option('max-loop-utilization', { type: 'number', describe: 'Suspect-run bound: event-loop utilization, 0-1, over the run (default 0.95; catches a generator starved of CPU)' })
              .option('receiver', { choices: ['inline', 'process'] as const, describe: 'oob-flow scenario: virtual receivers inside agtest (default) or an agtest-receive process per flow' })
              .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow targets that are not loopback (load is refused otherwise)' })
              .option('out', { alias: 'o', type: 'string', describe: 'Write the report (JSON, load-report.schema.json) here' })
              .option('html', { type: 'string', describe: 'Write a self-contained HTML report here' })
              .option('junit', { type: 'string', describe: 'Write JUnit XML here: one case per threshold' })
              .option('json', { type: 'boolean', default: false, describe: 'Print the report JSON instead of the summary (no progress line)' })
              .example('$0 load --url http://127.0.0.1:8080/ --vus 8 --duration 10s -t "p99(total) < 200ms"', '8 virtual users for 10 s')
              .example('$0 load --url http://127.0.0.1:8080/ --rate 200 --duration 30s -t "dropped == 0"', '200 arrivals per second')
              .example('$0 load -s oob-flow --vus 8 -n 200', 'out-of-band flows against the built-in reference agent (started and stopped by agtest)')
              .example('$0 load -c load.json --shard 2/4 -o shard2.json', 'one of four shards; then: agtest load merge shard*.json')
              .epilogue(
                'Latency is measured from when an iteration was due to start (so queueing in a slow agent is not hidden: coordinated omission), service time from when it started. ' +
                  'A run is marked SUSPECT when agtest itself was the bottleneck (event-loop delay or CPU over the bounds). ' +
                  'Exit codes: 0 every threshold met, 1 one is not, 2 harness failure (bad config, a non-loopback target, the scenario could not start, stopped by a signal).',
              ),
        ),
    )
    .command('serve', 'Run agtest as a service other AI agents call (REST and A2A on the same port): jobs that generate load plans and JMeter scripts, run loads (agtest plans or the HTTP samplers of a JMX), analyse results (agtest reports, JMeter JTL CSV or XML), certify agents and compare their profiles; persisted in a database file', (y) =>
      y
        .option('db', { type: 'string', default: 'agtest-serve.db', describe: 'The database file (jobs, their history and results, API keys); created when missing' })
        .command('keys', 'Manage API keys (only their hashes are stored)', (k) =>
          k
            .command('add', 'Create a key; prints it and its callback signing secret once', (v) =>
              v
                .option('name', { type: 'string', describe: 'A label for the key' })
                .option('task-type', { type: 'string', array: true, choices: [...serve!.TASK_TYPES], describe: 'Task type the key may run (repeatable; default all)' })
                .option('target', { type: 'string', array: true, describe: 'Address or CIDR range load and callbacks may go to (repeatable, required): names are resolved and every address checked' })
                .option('source-agent-id', { type: 'string', describe: 'The only sourceAgentId this key may send' })
                .option('rate', { type: 'number', describe: 'Requests per minute (default 60)' }),
            )
            .command('list', 'List keys (id, name, status, what they may do)')
            .command('revoke <id>', 'Revoke a key', (v) => v.positional('id', { type: 'string', describe: 'the key id (agtest serve keys list)' }))
            .demandCommand(1, 'Say which: agtest serve keys add|list|revoke'),
        )
        .command('$0', 'Start the service', (v) =>
          v
            .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on (loopback by default: reachable from this machine only)' })
            .option('port', { alias: 'p', type: 'number', default: 8080, describe: 'Port (0: any free one; the URL is printed)' })
            .option('concurrency', { type: 'number', default: 2, describe: 'Jobs running at once; the rest wait in the queue' })
            .option('max-users', { type: 'number', describe: `Cap on virtual users per request (default ${serve!.DEFAULT_CAPS.maxUsers})` })
            .option('max-duration', { type: 'number', describe: `Cap on a load's duration, seconds (default ${serve!.DEFAULT_CAPS.maxDurationSeconds})` })
            .option('max-body', { type: 'number', describe: `Cap on a request body, bytes (default ${serve!.DEFAULT_CAPS.maxBodyBytes})` })
            .option('public-url', { type: 'string', describe: 'The URL callers reach the service at (behind a gateway or proxy); the A2A Agent Card names its endpoint under it' })
            .option('dev-key', { type: 'boolean', default: true, describe: 'Create and print a dev key (loopback targets only, every task type); --no-dev-key to skip' })
            .example('$0 serve', 'listen on 127.0.0.1:8080 and print a dev key')
            .example('$0 serve keys add --name ci --target 10.1.0.0/16 --task-type generate_and_execute', 'a key that may load 10.1.0.0/16 only')
            .epilogue('REST: POST /requests (202), GET /requests/ID, GET /requests/ID/result, DELETE /requests/ID, GET /capabilities, GET /openapi.json. A2A: Agent Card at /.well-known/agent-card.json, JSON-RPC at /a2a/jsonrpc (v1.0 and v0.3, the same keys as Bearer). Jobs survive a restart; a job running when the server died is marked interrupted, never run twice. See README.md "agtest serve".'),
        ),
      )
    .command('receive <invitation-url>', 'Headless receiver: accept an out-of-band invitation, connect by DID exchange (WebSocket or HTTP, as its service says), run trust ping and basic message round trips, print one JSON outcome line. Exit 0 ok, 1 failed, 2 bad usage', (y) =>
      y
        .usage(load!.RECEIVE_USAGE.replace('usage: agtest', '$0'))
        .positional('invitation-url', { type: 'string', describe: 'the invitation URL (its oob parameter holds the invitation)' })
        .option('flow', { type: 'string', default: 'ping,message', describe: 'What runs on the connection, in order: ping (trust ping round trip), message (basic message, then a ping)' })
        .option('transport', { choices: ['ws', 'http'] as const, default: 'ws', describe: "Which of the invitation's services to use when it offers both (one that offers only the other is used as it is)" })
        .option('timeout', { type: 'string', default: '10s', describe: 'Give up (outcome timeout, exit 1) after this long' })
        .option('events', { type: 'boolean', default: false, describe: 'First print {"event":"started"} and {"event":"connected"} lines (for step timing by agtest load)' }),
    )
    .command('adapter', 'Check an adapter program against the agtalk contract', (y) =>
      y
        .command(
          'check',
          'Run an adapter (any language) against a loopback peer and report pass/fail per rule: ready line, ordering, delete-after-send, atomic inbox writes, no loss across a restart, exit 0 on SIGTERM, clear error on a bad target',
          (v) =>
            v
              .usage('$0 adapter check [options] -- <command…>')
              .option('transport', { alias: 't', choices: BUILTIN_TRANSPORTS, default: 'http', describe: 'What the adapter speaks: the loopback peer is the reference agent on this transport' })
              .option('wait-ms', { type: 'number', default: 15_000, describe: 'Longest wait for anything the adapter should do' })
              .option('messages', { type: 'number', default: 30, describe: 'Messages per batch' })
              .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: "Show the adapter's stderr" })
              .example('$0 adapter check -- agtest-adapter-http', 'check the built-in HTTP adapter')
              .example('$0 adapter check -t ws -- agtest-adapter-ws', 'check the built-in WebSocket adapter against a WS peer')
              .example('$0 adapter check -- python3 my_adapter.py --flag x', 'check your own (agtest appends --outbox, --inbox, --target: an http:// URL of the peer)')
              .epilogue('The peer is the reference agent over --transport (http, ws or smtp), so the adapter must speak that to its --target. Exit codes: 0 every rule passed, 1 a rule failed, 2 the check itself could not run.'),
        )
        .demandCommand(1, 'Say which: agtest adapter check -- <command…>'),
    )
    .demandCommand(1, 'Say which command to run: agtest run, agtest list, agtest coverage, agtest profile, agtest adapter, agtest load, agtest receive or agtest serve')
    .parserConfiguration({ 'populate--': true })
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error, y) => {
      if (error) throw error;
      // The help of the command that was misused, so the fix is on screen.
      let help = '';
      y.showHelp((text: string) => (help = text));
      throw new UsageError(`${message}\n\n${help}`);
    });
  const args = await parser.parseAsync();
  const [command] = args._;
  const configArgs = args as unknown as ConfigArgs;

  if (command === 'profile') {
    const [, sub] = args._;
    const { A2A_SUITE_URI, a2aSuites, DIDCOMM_V1_SUITE_URI, didcommV1Suites } = await suitesModule();
    const [{ askProfiles, compareProfileFiles, validateProfiles }, { decodeVerkey, didKeyToVerkey }] = await Promise.all([import('./profile/profile-commands.js'), import('../envelopes/index.js')]);
    profilesModule = await import('../profiles/index.js');
    const known = [
      { uri: DIDCOMM_V1_SUITE_URI, suites: didcommV1Suites },
      { uri: A2A_SUITE_URI, suites: a2aSuites },
    ];
    if (sub === 'validate') return validateProfiles(args['files'] as string[], known);
    if (sub === 'ask') {
      const timeoutMs = Number(args['timeout-ms']);
      if (!(timeoutMs > 0)) throw new UsageError('--timeout-ms must be a positive number');
      const to = args['to'] === undefined ? undefined : String(args['to']);
      if (to !== undefined && args['transport'] === 'plain') throw new UsageError('--to packs a DIDComm request; the plain JSON form (-t plain) has no envelope');
      if (to !== undefined) {
        try {
          decodeVerkey(to.startsWith('did:key:') ? didKeyToVerkey(to) : to);
        } catch (error) {
          throw new UsageError(`--to ${to}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const options = { endpoint: String(args['endpoint']), suites: (args['suite'] as string[]).map(String), transport: args['transport'] as 'http' | 'ws' | 'plain', timeoutMs, ...(to === undefined ? {} : { to }) };
      return askProfiles(options, known, args['json'] === true);
    }
    return compareProfileFiles(String(args['a']), String(args['b']), known, args['json'] === true);
  }

  if (command === 'coverage') {
    const pick = (key: string) => (args[key] === undefined ? {} : { [key]: String(args[key]) });
    const { runCoverageCommand } = await import('./coverage/coverage-command.js');
    return runCoverageCommand({ ...pick('spec'), ...pick('junction'), unchecked: args['unchecked'] === true, json: args['json'] === true }, { stdout: process.stdout, stderr: process.stderr });
  }

  if (command === 'receive') {
    const argv = [String(args['invitation-url']), '--flow', String(args['flow']), '--transport', String(args['transport']), '--timeout', String(args['timeout']), ...(args['events'] === true ? ['--events'] : [])];
    return load!.runReceiveCommand(argv, process.stdout, process.stderr);
  }

  if (command === 'adapter') {
    const adapterCommand = ((args['--'] as unknown[] | undefined) ?? []).map(String);
    if (adapterCommand.length === 0) throw new UsageError('give the adapter command after --, e.g. agtest adapter check -- agtest-adapter-http');
    const waitMs = Number(args['wait-ms']);
    const messages = Number(args['messages']);
    if (!(waitMs > 0) || !Number.isInteger(messages) || messages < 1) throw new UsageError('--wait-ms must be a positive number and --messages a positive integer');
    const { runAdapterCheck } = await import('./adapter-check/adapter-check-command.js');
    return runAdapterCheck({ command: adapterCommand, transport: args['transport'] as BuiltinTransport, waitMs, messages, verbose: args['verbose'] === true });
  }

  if (command === 'load') {
    const output = { ...(args['out'] === undefined ? {} : { out: String(args['out']) }), ...(args['html'] === undefined ? {} : { html: String(args['html']) }), ...(args['junit'] === undefined ? {} : { junit: String(args['junit']) }), json: args['json'] === true };
    const controller = abortOnSignals();
    const { createChalk } = await import('./reporters/console-reporter.js');
    const io = { stdout: process.stdout, stderr: process.stderr, signal: controller.signal, color: createChalk(process.stdout).level > 0 };
    try {
      if (args._[1] === 'topology') {
        const pick = <T>(key: string) => args[key] as T | undefined;
        return await load!.runTopologyCommand(
          {
            router: pick('router'),
            agents: pick('agents'),
            messages: pick('messages'),
            topologies: pick('topologies'),
            intervals: pick('intervals'),
            repeat: pick('repeat'),
            fanout: pick('fanout'),
            quick: args['quick'] === true,
            timeout: pick('timeout'),
            maxInFlight: pick('max-in-flight'),
            fault: pick('fault'),
            unregistered: pick('unregistered'),
            allowRemote: args['allow-remote'] === true,
            shard: pick('shard'),
            shardDir: pick('shard-dir'),
            shardWait: pick('shard-wait'),
            output: pick('output'),
            html: pick('html'),
            json: args['json'] === true,
          },
          io,
        );
      }
      if (args._[1] === 'merge') return await load!.mergeLoadCommand((args['files'] as unknown[]).map(String), args['threshold'] as string[] | undefined, output, io);
      const pick = <T>(key: string) => args[key] as T | undefined;
      const flags: LoadFlags = {
        config: pick('config'),
        scenario: pick('scenario'),
        url: pick('url'),
        method: pick('method'),
        header: pick('header'),
        body: pick('body'),
        expect: pick('expect'),
        vus: pick('vus'),
        rate: pick('rate'),
        stages: pick('stages'),
        maxInFlight: pick('max-in-flight'),
        maxStartDelay: pick('max-start-delay'),
        duration: pick('duration'),
        iterations: pick('iterations'),
        think: pick('think'),
        timeout: pick('timeout'),
        gracefulStop: pick('graceful-stop'),
        threshold: pick('threshold'),
        shard: pick('shard'),
        allowRemote: args['allow-remote'] === true,
        maxLoopP99: pick('max-loop-p99'),
        maxCpu: pick('max-cpu'),
        maxLoopUtilization: pick('max-loop-utilization'),
        receiver: pick('receiver'),
      };
      return await load!.runLoadCommand(flags, output, io);
    } finally {
      controller.release();
    }
  }

  if (command === 'serve') {
    const db = String(args['db']);
    if (args._[1] === 'keys') {
      const action = String(args._[2]) as 'add' | 'list' | 'revoke';
      return serve!.runKeysCommand(action, { db, name: args['name'] as string | undefined, taskType: args['task-type'] as string[] | undefined, target: args['target'] as string[] | undefined, sourceAgentId: args['source-agent-id'] as string | undefined, rate: args['rate'] as number | undefined, id: args['id'] === undefined ? undefined : String(args['id']) }, process.stdout);
    }
    const controller = abortOnSignals();
    try {
      const pick = (key: string) => (args[key] === undefined ? undefined : Number(args[key]));
      return await serve!.runServeCommand(
        { db, host: String(args['host']), port: Number(args['port']), concurrency: Number(args['concurrency']), maxUsers: pick('max-users'), maxDuration: pick('max-duration'), maxBody: pick('max-body'), ...(args['public-url'] === undefined ? {} : { publicUrl: String(args['public-url']) }), devKey: args['dev-key'] !== false },
        { stdout: process.stdout, stderr: process.stderr, signal: controller.signal },
      );
    } finally {
      controller.release();
    }
  }

  if (command === 'list') {
    const config = await resolveConfig(configArgs);
    const [{ A2A_SUITE_URI, a2aSuites, DIDCOMM_V1_SUITE_URI, didcommV1Suites }, { expandClaims }, { createChalk }, { formatRulesMarkdown, listRules }] = await Promise.all([
      suitesModule(),
      import('./run/plan-tests.js'),
      import('./reporters/console-reporter.js'),
      import('./list/format-rules.js'),
    ]);
    const suites = config.suite === 'a2a' ? a2aSuites : didcommV1Suites;
    const claimed = expandClaims(config.claims, suites, config.source);
    const c = createChalk(process.stdout);
    if (args['rules'] === true) {
      const format = String(args['format']);
      if (format === 'json') process.stdout.write(`${JSON.stringify(listRules(suites), null, 2)}\n`);
      else if (format === 'markdown') process.stdout.write(formatRulesMarkdown(config.suite === 'a2a' ? 'A2A' : 'DIDComm v1', config.suite === 'a2a' ? A2A_SUITE_URI : DIDCOMM_V1_SUITE_URI, suites));
      else {
        for (const row of listRules(suites)) {
          const level = row.level === 'MUST' || row.level === 'MUST NOT' ? c.red(row.level) : row.level === 'unaudited' ? c.magenta(row.level) : c.yellow(row.level);
          process.stdout.write(`${row.test}${row.id === '-' ? '' : `#${row.id}`}  ${level}\n    ${row.text}\n    ${c.dim(row.cite)}\n`);
        }
      }
      return 0;
    }
    for (const suite of suites) {
      const mark = claimed.has(suite.junction) ? c.green('claimed') : c.dim('not claimed');
      process.stdout.write(`${c.bold(suite.junction)}  ${mark}  ${c.dim(suite.description)}\n`);
      for (const test of suite.tests) process.stdout.write(`  ${suite.junction}.${test.name}\n    ${test.description}\n    ${c.dim(test.spec)}\n`);
    }
    return 0;
  }

  const config = await resolveConfig(configArgs);
  const [{ run }, { createConsoleReporter }, { formatTiming }] = await Promise.all([import('./api.js'), import('./reporters/console-reporter.js'), import('./reporters/timing-report.js')]);
  const json = args['json'] === true;
  const verbose = args['verbose'] === true;
  // Ctrl-C / SIGTERM stop the run cleanly (children stopped, finished results written); a second one forces the exit.
  const controller = abortOnSignals();
  // Since the process started: node, agtest's modules and the config, before run() begins.
  const startupMs = Math.round(performance.now());
  try {
    const summary = await run({
      config,
      outDir: String(args['out']),
      reporters: json ? [] : [createConsoleReporter()],
      log: verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
      signal: controller.signal,
    });
    if (json) process.stdout.write(`${JSON.stringify(summary.profile, null, 2)}\n`);
    if (args['timing'] === true) (json ? process.stderr : process.stdout).write(`\n${formatTiming(summary, { startupMs })}`);
    if (summary.interrupted) {
      const finished = summary.results.filter((r) => r.status !== 'not-run' || !r.reason?.startsWith('not run: the run was interrupted')).length;
      process.stderr.write(`agtest: run interrupted: ${summary.interrupted.cause} [${summary.interrupted.code}]; the profile of the ${finished} finished tests is in ${summary.files.profile}\n`);
      return summary.exitCode;
    }
    return summary.exitCode === 0 ? EXIT.interoperable : EXIT.notInteroperable;
  } finally {
    controller.release();
  }
}

// `agtest list | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  process.exitCode = await main(hideBin(process.argv));
} catch (error) {
  if (error instanceof UsageError || (profilesModule !== undefined && error instanceof profilesModule.IncomparableProfilesError)) process.stderr.write(`agtest: ${error.message}\n`);
  else if (isAgtestError(error)) process.stderr.write(`agtest: ${error.message} [${error.code}]\n`);
  else process.stderr.write(`agtest: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = EXIT.harnessError;
}

/**
 * Ctrl-C / SIGTERM abort the returned signal (the command stops cleanly); a second one forces the
 * exit. release() hands the signals back once the command is over.
 */
function abortOnSignals(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
