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

export type Score = 'interoperable' | 'divergent' | `constrained (${number} of ${number})`;

export interface InteropProfile {
  test_suite: string;
  profile: Record<string, string>;
  agent?: { name?: string; version?: string };
  generated?: string;
  transport?: string;
  results?: TestResult[];
  findings?: Finding[];
}
