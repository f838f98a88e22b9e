#!/usr/bin/env node
/**
 * The template adapter as a program: `node dist/adapters/template/main.js --outbox DIR --inbox DIR
 * --target http://...`. Copy this folder to start your own adapter (see adapters/README.md).
 */
import { runAdapterMain } from '../run-adapter-main.js';
import { createTemplateAdapter } from './template-adapter.js';

await runAdapterMain(() => createTemplateAdapter(), { program: 'agtest-adapter-template', flags: {} });
