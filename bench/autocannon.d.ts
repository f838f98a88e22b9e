/** The part of autocannon (no types of its own) the load bench uses. */
declare module 'autocannon' {
  interface AutocannonResult {
    requests: { average: number; total: number; sent: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
    duration: number;
  }
  function autocannon(options: { url: string; connections: number; duration: number; pipelining?: number }): Promise<AutocannonResult>;
  export default autocannon;
}
