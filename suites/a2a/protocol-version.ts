import { randomUUID } from 'node:crypto';
import { isObject } from './is-object.js';

/**
 * What differs between the two A2A versions agtest certifies: method names, the version header,
 * result shapes, task-state spellings. Suite files are written once against this.
 */
export interface A2aVersion {
  /** `1.0` or `0.3`: the protocolVersion of the card interface this run speaks to. */
  id: '1.0' | '0.3';
  /** Cluster prefix, `a2a.v1_0`. */
  prefix: string;
  /** Headers every request carries: v1.0 clients send A2A-Version; a 0.3 client sends none (v1.0 §3.6.2: no header means 0.3). */
  headers: Record<string, string>;
  methods: {
    send: string;
    stream: string;
    get: string;
    cancel: string;
    subscribe: string;
    pushSet: string;
    pushGet: string;
    pushList: string;
    pushDelete: string;
    extendedCard: string;
    list?: string;
  };
  /** A user message with one text part, in this version's shape. */
  userMessage(text: string, extra?: Record<string, unknown>): Record<string, unknown>;
  /** Send configuration asking to wait for a terminal or interrupted state (true) or not. */
  blocking(wait: boolean): Record<string, unknown>;
  /** Push config for sending inline with a message. */
  pushInline(url: string, token: string): Record<string, unknown>;
  /** The params of a push-config create for task `taskId`. */
  pushSetParams(taskId: string, url: string): Record<string, unknown>;
  states: { terminal: readonly string[]; interrupted: readonly string[]; all: readonly string[] };
  /** v1.0 wraps results (`{task}` / `{message}`); v0.3 tags them (`kind`). */
  classify(result: unknown): ResultShape;
  /** Where a spec rule is, for the `spec` line of a test. */
  cite: string;
  /** Sections of this version's specification, by topic. */
  sec: Record<'send' | 'stream' | 'get' | 'cancel' | 'pushSet' | 'history' | 'capability' | 'errors', string>;
}

export type ResultShape =
  | { kind: 'task'; task: Record<string, unknown> }
  | { kind: 'message'; message: Record<string, unknown> }
  | { kind: 'status-update'; event: Record<string, unknown> }
  | { kind: 'artifact-update'; event: Record<string, unknown> }
  | { kind: 'unknown'; why: string };

const V1_STATES = ['TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING', 'TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED', 'TASK_STATE_INPUT_REQUIRED', 'TASK_STATE_REJECTED', 'TASK_STATE_AUTH_REQUIRED'];
const V03_STATES = ['submitted', 'working', 'input-required', 'completed', 'canceled', 'failed', 'rejected', 'auth-required', 'unknown'];

export const A2A_V1_0: A2aVersion = {
  id: '1.0',
  prefix: 'a2a.v1_0',
  headers: { 'A2A-Version': '1.0' },
  methods: {
    send: 'SendMessage',
    stream: 'SendStreamingMessage',
    get: 'GetTask',
    cancel: 'CancelTask',
    subscribe: 'SubscribeToTask',
    pushSet: 'CreateTaskPushNotificationConfig',
    pushGet: 'GetTaskPushNotificationConfig',
    pushList: 'ListTaskPushNotificationConfigs',
    pushDelete: 'DeleteTaskPushNotificationConfig',
    extendedCard: 'GetExtendedAgentCard',
    list: 'ListTasks',
  },
  userMessage: (text, extra = {}) => ({ messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text }], ...extra }),
  blocking: (wait) => ({ returnImmediately: !wait }),
  pushInline: (url, token) => ({ taskPushNotificationConfig: { url, token } }),
  pushSetParams: (taskId, url) => ({ taskId, url, token: 'agtest' }),
  states: {
    terminal: ['TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED', 'TASK_STATE_REJECTED'],
    interrupted: ['TASK_STATE_INPUT_REQUIRED', 'TASK_STATE_AUTH_REQUIRED'],
    all: V1_STATES,
  },
  classify(result) {
    if (!isObject(result)) return { kind: 'unknown', why: 'the result is not an object' };
    const keys = ['task', 'message', 'statusUpdate', 'artifactUpdate'].filter((key) => key in result);
    if (keys.length !== 1) return { kind: 'unknown', why: `the result must hold exactly one of task, message, statusUpdate, artifactUpdate; it holds ${keys.length === 0 ? 'none' : keys.join(' and ')} (keys: ${Object.keys(result).join(', ') || 'none'})` };
    const value = result[keys[0]!];
    if (!isObject(value)) return { kind: 'unknown', why: `${keys[0]} is not an object` };
    if (keys[0] === 'task') return { kind: 'task', task: value };
    if (keys[0] === 'message') return { kind: 'message', message: value };
    return keys[0] === 'statusUpdate' ? { kind: 'status-update', event: value } : { kind: 'artifact-update', event: value };
  },
  cite: 'A2A v1.0',
  sec: {
    send: '§3.1.1 Send Message',
    stream: '§3.1.2 Send Streaming Message',
    get: '§3.1.3 Get Task',
    cancel: '§3.1.5 Cancel Task',
    pushSet: '§3.1.7 Create Push Notification Config',
    history: '§3.2.4 History Length Semantics',
    capability: '§3.3.4 Capability Validation',
    errors: '§3.3.2 Error Handling',
  },
};

export const A2A_V0_3: A2aVersion = {
  id: '0.3',
  prefix: 'a2a.v0_3',
  headers: {},
  methods: {
    send: 'message/send',
    stream: 'message/stream',
    get: 'tasks/get',
    cancel: 'tasks/cancel',
    subscribe: 'tasks/resubscribe',
    pushSet: 'tasks/pushNotificationConfig/set',
    pushGet: 'tasks/pushNotificationConfig/get',
    pushList: 'tasks/pushNotificationConfig/list',
    pushDelete: 'tasks/pushNotificationConfig/delete',
    extendedCard: 'agent/getAuthenticatedExtendedCard',
  },
  userMessage: (text, extra = {}) => ({ kind: 'message', messageId: randomUUID(), role: 'user', parts: [{ kind: 'text', text }], ...extra }),
  blocking: (wait) => ({ blocking: wait }),
  pushInline: (url, token) => ({ pushNotificationConfig: { url, token } }),
  pushSetParams: (taskId, url) => ({ taskId, pushNotificationConfig: { url, token: 'agtest' } }),
  states: { terminal: ['completed', 'failed', 'canceled', 'rejected'], interrupted: ['input-required', 'auth-required'], all: V03_STATES },
  classify(result) {
    if (!isObject(result)) return { kind: 'unknown', why: 'the result is not an object' };
    switch (result['kind']) {
      case 'task':
        return { kind: 'task', task: result };
      case 'message':
        return { kind: 'message', message: result };
      case 'status-update':
        return { kind: 'status-update', event: result };
      case 'artifact-update':
        return { kind: 'artifact-update', event: result };
      default:
        return { kind: 'unknown', why: `the result's kind is ${JSON.stringify(result['kind'])}, not task, message, status-update or artifact-update` };
    }
  },
  cite: 'A2A v0.3',
  sec: {
    send: '§7.1 message/send',
    stream: '§7.2 message/stream',
    get: '§7.3 tasks/get',
    cancel: '§7.4 tasks/cancel',
    pushSet: '§7.5 tasks/pushNotificationConfig/set',
    history: '§7.3 tasks/get (TaskQueryParams.historyLength)',
    capability: '§8.2 A2A-specific errors',
    errors: '§8 Error Handling',
  },
};
