/** Virtual agents in topologies through a mediator (`agtest load topology`). */
export { TOPOLOGIES, isTopology, topologyEdges, directedPairs, type Topology, type Edge } from './topologies.js';
export { runTopologySweep, validateSweep, type TopologySweepOptions } from './sweep.js';
export { buildTopologyReport, groupStats, TOPOLOGY_REPORT_SCHEMA_VERSION, type TopologyReport, type RunResult, type GroupStats, type CellStats } from './report.js';
export { topologyReportProblems, TOPOLOGY_REPORT_SCHEMA } from './validate.js';
export { formatTopologySummary } from './console.js';
export { renderTopologyHtml } from './html.js';
export { runTopologyCommand, TOPOLOGY_DEFAULTS, TOPOLOGY_QUICK, type TopologyFlags } from './command.js';
export { VirtualAgent, SetupError, wrapForward } from './virtual-agent.js';
export { createAgentPool, type AgentPool } from './pool.js';
export { openRouter, type Router } from './router.js';
export { topologyScenario } from './scenario.js';
export { ForwardSocket } from './forward-socket.js';
