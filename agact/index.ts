/** The agact contract (DESIGN §6), as the runner uses it. The ready-made agact-http is http-main.ts. */
export { invokeAgact } from './invoke-agact.js';
export type { AgactCall, AgactOutcome, InvokeAgactOptions } from './invoke-agact.js';
