/**
 * A2A push notifications for service tasks, on the SDK's push config store, with the rules the
 * service holds every outbound call to (as REST callbacks): the webhook must be on the calling
 * key's target allowlist, checked when the config is made and again before each POST (a name
 * re-pointed meanwhile is not followed); redirects are never followed; a config without a url is
 * refused (-32602, A2A v1.0 §3.1.7: url REQUIRED; the SDK stores it). Each notification is in the
 * form of the version the config was made over (v1.0 StreamResponse, v0.3 Task), which the SDK's
 * own sender gets wrong for v0.3. The token is sent, never logged.
 */
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { TaskPushNotificationConfig, type StreamResponse, type Task } from '@a2a-js/sdk';
import { InMemoryPushNotificationStore, V1PushNotificationSerializer, type PushNotificationSender, type PushNotificationSerializer, type ServerCallContext } from '@a2a-js/sdk/server';
import { V03PushNotificationSerializer } from '@a2a-js/sdk/compat/v0_3/server';
import type { ApiKey, KeyStore } from '../security/api-keys.js';
import type { Database, Row } from '../store/db.js';
import { contextOfOwner } from './task-store.js';
import { checkTarget, type Resolver } from '../security/target-guard.js';

/** The key of the call (the auth middleware's user), or undefined. */
export type KeyOf = (context: ServerCallContext) => ApiKey | undefined;

export interface PushOptions {
  keyOf: KeyOf;
  /** Where configs are kept across a restart (in memory only without it). */
  db?: Database;
  resolve: Resolver;
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** The SDK's in-memory store, with the url required and on the caller's allowlist. */
export class GuardedPushStore extends InMemoryPushNotificationStore {
  constructor(private readonly options: PushOptions) {
    super();
  }

  override async save(taskId: string, context: ServerCallContext, config: TaskPushNotificationConfig): Promise<void> {
    if (typeof config.url !== 'string' || config.url === '') throw new RequestMalformedError('the push notification config needs a url');
    const key = this.options.keyOf(context);
    if (!key) throw new RequestMalformedError('no API key for this call');
    const check = await checkTarget(config.url, key.targets, this.options.resolve);
    if (!check.ok) throw new RequestMalformedError(`push notification url refused: ${check.reason}`);
    await super.save(taskId, context, config);
    this.options.db?.run('INSERT INTO a2a_push_configs (task_id, owner, config_id, config, wire_version) VALUES (?, ?, ?, ?, ?) ON CONFLICT (task_id, owner, config_id) DO UPDATE SET config = excluded.config, wire_version = excluded.wire_version', [
      taskId,
      key.id,
      config.id,
      JSON.stringify(TaskPushNotificationConfig.toJSON(config)),
      context.requestedVersion || '0.3',
    ]);
  }

  override async delete(taskId: string, context: ServerCallContext, configId?: string): Promise<void> {
    await super.delete(taskId, context, configId);
    const owner = this.options.keyOf(context)?.id ?? '';
    if (configId === undefined) this.options.db?.run('DELETE FROM a2a_push_configs WHERE task_id = ? AND owner = ?', [taskId, owner]);
    else this.options.db?.run('DELETE FROM a2a_push_configs WHERE task_id = ? AND owner = ? AND config_id = ?', [taskId, owner, configId]);
  }

  /** Loads the stored configs into memory (at start), each under its owner and wire version. */
  restore(keys: KeyStore): void {
    for (const row of (this.options.db?.all('SELECT * FROM a2a_push_configs') ?? []) as Row[]) {
      const context = contextOfOwner(keys, String(row['owner']), String(row['wire_version']));
      // The in-memory save has no await inside; the guard ran when the config was made, and runs again before each POST.
      if (context) void super.save(String(row['task_id']), context, TaskPushNotificationConfig.fromJSON(JSON.parse(String(row['config']))));
    }
  }
}

const taskIdOf = (response: StreamResponse): string => {
  const payload = response.payload;
  if (!payload) return '';
  return payload.$case === 'task' ? payload.value.id : payload.value.taskId;
};

/** POSTs each notification to the task's webhooks, in order per task, without redirects. */
export class GuardedPushSender implements PushNotificationSender {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly serializers: Record<string, PushNotificationSerializer> = { '1.0': new V1PushNotificationSerializer(), '0.3': new V03PushNotificationSerializer() };

  constructor(
    private readonly store: GuardedPushStore,
    private readonly options: PushOptions,
  ) {}

  async send(response: StreamResponse, context: ServerCallContext, task?: Task): Promise<void> {
    const taskId = taskIdOf(response);
    if (!taskId) return;
    const configs = await this.store.loadWithMetadata(taskId, context);
    if (configs.length === 0) return;
    const key = this.options.keyOf(context);
    const previous = this.chains.get(taskId) ?? Promise.resolve();
    const next = previous.then(async () => {
      await Promise.all(configs.map(({ config, wireVersion }) => this.post(config, wireVersion, response, taskId, key, task)));
    });
    this.chains.set(taskId, next);
    await next.finally(() => {
      if (this.chains.get(taskId) === next) this.chains.delete(taskId);
    });
  }

  private async post(config: TaskPushNotificationConfig, wireVersion: string, response: StreamResponse, taskId: string, key: ApiKey | undefined, task?: Task): Promise<void> {
    const log = this.options.log ?? (() => undefined);
    // Checked again now: the key may have been revoked, the name re-pointed.
    if (!key || key.revokedAt) return log(`push for task ${taskId} not sent: the key that made it is gone`);
    const check = await checkTarget(config.url, key.targets, this.options.resolve);
    if (!check.ok) return log(`push for task ${taskId} not sent: ${check.reason}`);
    const { body, contentType } = (this.serializers[wireVersion] ?? this.serializers['1.0']!).serialize(response, task);
    const auth = config.authentication;
    const headers: Record<string, string> = { 'content-type': contentType, ...(auth?.scheme && auth.credentials ? { authorization: `${auth.scheme} ${auth.credentials}` } : config.token ? { 'x-a2a-notification-token': config.token } : {}) };
    try {
      const answer = await fetch(config.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
      await answer.body?.cancel();
      if (answer.status < 200 || answer.status > 299) log(`push for task ${taskId} to ${new URL(config.url).origin}: HTTP ${answer.status}${answer.status >= 300 && answer.status < 400 ? ' (a redirect, not followed)' : ''}`);
    } catch (error) {
      log(`push for task ${taskId} to ${new URL(config.url).origin} failed: ${(error as Error).message}`);
    }
  }
}
