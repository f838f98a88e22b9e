/** One JMeter sample, whichever the results file's format (CSV or XML JTL). */
export interface JtlSample {
  /** Start, ms since the epoch. */
  timeStamp: number;
  /** Elapsed, ms. */
  elapsed: number;
  label: string;
  responseCode: string;
  responseMessage: string;
  success: boolean;
}
