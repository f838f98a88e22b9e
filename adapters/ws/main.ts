#!/usr/bin/env node
/**
 * agtest-adapter-ws --outbox DIR --inbox DIR --target ws://HOST:PORT/PATH [--listen-host 127.0.0.1]
 *   [--listen-port 0] [--retries 5] [--retry-delay-ms 200] [--max-frame-bytes 10485760]
 */
import { runAdapterMain } from '../run-adapter-main.js';
import { createWsAdapter } from './ws-adapter.js';
import { WS_ADAPTER_FLAGS, wsAdapterOptionsFromFlags } from './options.js';

await runAdapterMain(({ flags }) => createWsAdapter(wsAdapterOptionsFromFlags(flags)), {
  program: 'agtest-adapter-ws',
  flags: WS_ADAPTER_FLAGS,
});
