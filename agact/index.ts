/** The agact contract (DESIGN §6), as the runner uses it. The ready-made agact-http is http-main.ts. */
export { invokeAgact } from './invoke-agact.js';
export type { InvokeAgactOptions } from './invoke-agact.js';
export { createAgactSession, SESSION_FLAG } from './agact-session.js';
export type { AgactSession, AgactSessionOptions } from './agact-session.js';
export type { AgactCall, AgactOutcome } from './agact-outcome.js';
