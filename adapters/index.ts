/**
 * Adapters bridge agtalk's two folders to one transport. The kit (interface, process wrapper,
 * event contract), the launcher agtest uses, and the built-in adapters.
 */
export type { Adapter, AdapterContext, AdapterEvent, AdapterEventType } from './adapter.js';
export { runAdapterMain } from './run-adapter-main.js';
export type { RunAdapterMainOptions } from './run-adapter-main.js';
export { parseAdapterArgs } from './adapter-args.js';
export type { AdapterArgs, AdapterFlagSpec, ParsedAdapterArgs } from './adapter-args.js';
export { formatEventLine, parseEventLine } from './event-line.js';
export { AdapterError } from './errors.js';
export type { AdapterErrorCode } from './errors.js';
export { launchAdapter } from './launch-adapter.js';
export type { LaunchAdapterOptions, LaunchedAdapter, AdapterExit } from './launch-adapter.js';
export { builtinAdapterCommand, isBuiltinAdapterName } from './builtin-adapters.js';
export type { BuiltinAdapterName } from './builtin-adapters.js';
export { createHttpAdapter } from './http/http-adapter.js';
export type { HttpAdapterOptions } from './http/options.js';
export { createWsAdapter } from './ws/ws-adapter.js';
export { createSmtpAdapter } from './smtp/smtp-adapter.js';
export type { SmtpAdapterOptions } from './smtp/options.js';
export type { WsAdapterOptions } from './ws/options.js';
export { A2A_CREDENTIALS_ENV, createA2aAdapter } from './a2a/a2a-adapter.js';
export type { A2aAdapterOptions } from './a2a/a2a-adapter.js';
export type { A2aRequestFile, A2aInboxRecord } from './a2a/exchange-format.js';
export { createTemplateAdapter } from './template/template-adapter.js';
export type { TemplateAdapterOptions } from './template/template-adapter.js';
