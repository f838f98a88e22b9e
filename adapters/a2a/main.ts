#!/usr/bin/env node
/**
 * agtest-adapter-a2a --outbox DIR --inbox DIR --target URL [--timeout-ms 30000]
 *   [--stream-timeout-ms 30000] [--listen-host 127.0.0.1] [--listen-port 0]
 * Credentials for the agent come in the AGTEST_A2A_HEADERS environment variable (JSON), never argv.
 */
import type { AdapterFlagSpec } from '../adapter-args.js';
import { flagValues } from '../flag-values.js';
import { runAdapterMain } from '../run-adapter-main.js';
import { createA2aAdapter, takeCredentialsFromEnv } from './a2a-adapter.js';

const FLAGS: Readonly<Record<string, AdapterFlagSpec>> = {
  'timeout-ms': { type: 'string', description: 'MS  a request without response headers this long has failed (default 30000)' },
  'stream-timeout-ms': { type: 'string', description: 'MS  an SSE stream open this long is closed (default 30000)' },
  'listen-host': { type: 'string', description: 'HOST  interface of the push endpoint (default 127.0.0.1)' },
  'listen-port': { type: 'string', description: 'PORT  port of the push endpoint (default 0: any free port)' },
};

await runAdapterMain(
  ({ flags }) => {
    const values = flagValues(flags);
    const credentials = takeCredentialsFromEnv();
    return createA2aAdapter({
      ...(credentials ? { credentials } : {}),
      timeoutMs: values.number('timeout-ms'),
      streamTimeoutMs: values.number('stream-timeout-ms'),
      listenHost: values.text('listen-host'),
      listenPort: values.number('listen-port'),
    });
  },
  { program: 'agtest-adapter-a2a', flags: FLAGS },
);
