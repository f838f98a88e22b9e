/**
 * Bench-only timestamps per stage of a message's trip, so `npm run bench` can say where the time
 * goes. Off unless a sink is set in-process or `AGTALK_TRACE=1` is in the environment (an adapter
 * process started by the bench), then one `agtalk-trace <stage> <file> <ns>` line on stderr.
 * Times are CLOCK_MONOTONIC (process.hrtime), which every process on the machine shares.
 */
export type StageSink = (stage: string, file: string, ns: bigint) => void;

let sink: StageSink | undefined =
  process.env.AGTALK_TRACE === '1' ? (stage, file, ns) => void process.stderr.write(`agtalk-trace ${stage} ${file} ${ns}\n`) : undefined;

export function setStageSink(next: StageSink | undefined): void {
  sink = next;
}

export function traceStage(stage: string, file: string): void {
  if (sink) sink(stage, file, process.hrtime.bigint());
}
