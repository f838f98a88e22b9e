import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { builtinAdapterCommand, launchAdapter, type AdapterEvent, type BuiltinAdapterName, type LaunchedAdapter } from '../../../adapters/index.js';

export interface RunningHttpAdapter extends LaunchedAdapter {
  outbox: string;
  inbox: string;
  events: AdapterEvent[];
  logs: string[];
  eventsOf<T extends AdapterEvent['type']>(type: T): Extract<AdapterEvent, { type: T }>[];
}

/** The real compiled adapter process (dist/adapters/http/main.js), as agtest launches it. */
export function startHttpAdapter(dir: string, target: string, extraArgs: readonly string[] = []): Promise<RunningHttpAdapter> {
  return startBuiltinAdapter('http', dir, target, extraArgs);
}

/** Any built-in adapter as a real compiled process, as agtest launches it. */
export async function startBuiltinAdapter(name: BuiltinAdapterName, dir: string, target: string, extraArgs: readonly string[] = []): Promise<RunningHttpAdapter> {
  const outbox = join(dir, 'outbox');
  const inbox = join(dir, 'inbox');
  await mkdir(outbox, { recursive: true });
  const events: AdapterEvent[] = [];
  const logs: string[] = [];
  const launched = await launchAdapter({
    name,
    command: [...builtinAdapterCommand(name), ...extraArgs],
    outbox,
    inbox,
    target,
    onEvent: (event) => void events.push(event),
    onLog: (line) => void logs.push(line),
  });
  return {
    ...launched,
    outbox,
    inbox,
    events,
    logs,
    eventsOf: <T extends AdapterEvent['type']>(type: T) => events.filter((event): event is Extract<AdapterEvent, { type: T }> => event.type === type),
  };
}
