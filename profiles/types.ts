export type TestStatus = 'pass' | 'fail' | 'blocked' | 'not-run' | 'error';

export interface TestResult {
  /** Full dot-name: `<cluster>.<mode>.<test>`. */
  test: string;
  status: TestStatus;
  reason?: string;
  /** Every MUST-level check that failed (a failed test's `reason` joins them). */
  failures?: string[];
  /** For a blocked test: the test (or junction) whose failure it waited for. */
  blockedBy?: string;
  warnings: string[];
  durationMs: number;
  /** Where the check comes from (RFC and section). */
  spec?: string;
  /** Transcript folder of this test, relative to the run's output folder. */
  transcript?: string;
}

export interface Finding {
  kind: string;
  message: string;
  file?: string;
  test?: string;
}

export type Score =
  | 'interoperable'
  | 'divergent'
  | `constrained (${number} of ${number})`
  | `interoperable (${number} of ${number} MUSTs checked)`
  | `constrained (${number} of ${number}; ${number} of ${number} MUSTs checked)`;

/** Why a run stopped before its end (the profile then holds only the finished tests). */
export interface RunInterruption {
  /** A stable code, e.g. AGTEST_AGENT_EXITED, AGTEST_ADAPTER_EXITED, AGTEST_AGACT_BROKEN, AGTEST_INTERRUPTED. */
  code: string;
  /** One true sentence: what happened. */
  cause: string;
  phase: 'start' | 'setup' | 'test' | 'teardown' | 'finish';
  /** The test it happened in, if any. */
  test?: string;
  /** For a signal: its name (SIGINT, SIGTERM). */
  signal?: string;
}

export interface InteropProfile {
  test_suite: string;
  profile: Record<string, string>;
  /** Junction → the MUSTs mapped to it and how many have a check (junctions of `profile` with mapped MUSTs). */
  coverage?: Record<string, { musts: number; checked: number }>;
  agent?: { name?: string; version?: string };
  generated?: string;
  transport?: string;
  results?: TestResult[];
  findings?: Finding[];
  /** Set when the run stopped early: its scores count only the finished tests. */
  interrupted?: RunInterruption;
}
