#!/usr/bin/env node
/**
 * agtest-adapter-http --outbox DIR --inbox DIR --target URL [--listen-host 127.0.0.1]
 *   [--listen-port 0] [--public-url URL] [--retries 5] [--retry-delay-ms 200] [--timeout-ms 30000]
 *   [--plain-json dm|json]
 */
import { runAdapterMain } from '../run-adapter-main.js';
import { createHttpAdapter } from './http-adapter.js';
import { HTTP_ADAPTER_FLAGS, httpAdapterOptionsFromFlags } from './options.js';

await runAdapterMain(({ flags }) => createHttpAdapter(httpAdapterOptionsFromFlags(flags)), {
  program: 'agtest-adapter-http',
  flags: HTTP_ADAPTER_FLAGS,
});
