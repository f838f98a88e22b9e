#!/usr/bin/env node
/**
 * agtest-adapter-smtp --outbox DIR --inbox DIR --target smtp://HOST:PORT/MAILBOX
 *   [--listen-host 127.0.0.1] [--listen-port 0] [--mailbox agtest@agtest.invalid] [--retries 5]
 *   [--retry-delay-ms 200] [--max-message-bytes 10485760]
 */
import { runAdapterMain } from '../run-adapter-main.js';
import { SMTP_ADAPTER_FLAGS, smtpAdapterOptionsFromFlags } from './options.js';
import { createSmtpAdapter } from './smtp-adapter.js';

await runAdapterMain(({ flags }) => createSmtpAdapter(smtpAdapterOptionsFromFlags(flags)), {
  program: 'agtest-adapter-smtp',
  flags: SMTP_ADAPTER_FLAGS,
});
