import type { Finding, InteropProfile, JunctionScore, RunInterruption, TestResult } from '../../profiles/index.js';
import type { RunTiming } from '../run/stages.js';

export interface RunStartInfo {
  suiteUri: string;
  agent: { name?: string; version?: string };
  transport: string;
  junctions: string[];
  tests: number;
  outDir: string;
}

export interface RunSummary {
  profile: InteropProfile;
  scores: JunctionScore[];
  results: TestResult[];
  findings: Finding[];
  /** Junctions claimed and selected for this run. */
  claimed: string[];
  /**
   * 0: every claimed junction interoperable; 1: at least one is not, or nothing could be tested;
   * 2: the run was interrupted by a harness fault; 130 / 143: by SIGINT / SIGTERM.
   */
  exitCode: 0 | 1 | 2 | 130 | 143;
  /** Set when the run stopped early: the results are the finished tests, the rest not-run. */
  interrupted?: RunInterruption;
  /** No test ran: each was blocked or not run. */
  nothingTested: boolean;
  outDir: string;
  files: { profile: string; junit: string; transcripts: string };
  durationMs: number;
  /** Where the run's time went: its stages, and per junction its tests' agact calls, silence windows and connection step. */
  timing: RunTiming;
}

/** A reporter: optional async hooks, called in order. */
export interface Reporter {
  onRunStart?(info: RunStartInfo): void | Promise<void>;
  onTestResult?(result: TestResult): void | Promise<void>;
  onFinding?(finding: Finding): void | Promise<void>;
  onRunEnd?(summary: RunSummary): void | Promise<void>;
}
