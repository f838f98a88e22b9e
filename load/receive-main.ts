#!/usr/bin/env node
/**
 * agtest-receive <invitation-url> [--flow ping,message] [--timeout 10s] [--events]
 * The headless receiver (the same as `agtest receive`), kept light so that a process per flow
 * costs node's start and little more. Prints one JSON outcome line; exit 0 ok, 1 failed, 2 usage.
 */
import { runReceiveCommand } from './didcomm/receive-command.js';

process.exitCode = await runReceiveCommand(process.argv.slice(2), process.stdout, process.stderr);
