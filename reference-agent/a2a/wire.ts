/**
 * The two wire forms of the same objects: A2A v1.0 (ProtoJSON: enum names like TASK_STATE_WORKING,
 * results wrapped as {task} / {message}) and v0.3 (kind-tagged objects, lower-case states).
 */
export type WireVersion = '1.0' | '0.3';
export type State = 'submitted' | 'working' | 'completed' | 'failed' | 'canceled' | 'rejected' | 'input-required' | 'auth-required';

export const TERMINAL: readonly State[] = ['completed', 'failed', 'canceled', 'rejected'];
export const INTERRUPTED: readonly State[] = ['input-required', 'auth-required'];
export const ALL_STATES: readonly State[] = ['submitted', 'working', 'completed', 'failed', 'canceled', 'rejected', 'input-required', 'auth-required'];

export interface TextMessage {
  messageId: string;
  role: 'user' | 'agent';
  text: string;
  contextId?: string;
  taskId?: string;
}

export interface TaskRecord {
  id: string;
  contextId: string;
  state: State;
  history: TextMessage[];
  artifacts: { artifactId: string; text: string }[];
  updated: number;
}

const v1State = (state: State) => `TASK_STATE_${state.toUpperCase().replace(/-/g, '_')}`;

/** A state as the version spells it on the wire. */
export const renderState = (version: WireVersion, state: State) => (version === '1.0' ? v1State(state) : state);

function part(version: WireVersion, text: string) {
  return version === '1.0' ? { text } : { kind: 'text', text };
}

export function renderMessage(version: WireVersion, message: TextMessage): Record<string, unknown> {
  const common = { messageId: message.messageId, ...(message.contextId ? { contextId: message.contextId } : {}), ...(message.taskId ? { taskId: message.taskId } : {}), parts: [part(version, message.text)] };
  return version === '1.0' ? { ...common, role: message.role === 'user' ? 'ROLE_USER' : 'ROLE_AGENT' } : { kind: 'message', ...common, role: message.role };
}

export function renderTask(version: WireVersion, task: TaskRecord, options: { historyLength?: number; contextId?: string } = {}): Record<string, unknown> {
  const history = options.historyLength === undefined ? task.history : options.historyLength === 0 ? [] : task.history.slice(-options.historyLength);
  const body = {
    id: task.id,
    contextId: options.contextId ?? task.contextId,
    status: { state: version === '1.0' ? v1State(task.state) : task.state, timestamp: new Date(task.updated).toISOString() },
    ...(task.artifacts.length > 0 ? { artifacts: task.artifacts.map((a) => ({ artifactId: a.artifactId, parts: [part(version, a.text)] })) } : {}),
    ...(history.length > 0 ? { history: history.map((m) => renderMessage(version, m)) } : {}),
  };
  return version === '1.0' ? body : { kind: 'task', ...body };
}

/** A send result / stream event: v1.0 wraps it, v0.3 is the tagged object itself. */
export function wrap(version: WireVersion, key: 'task' | 'message' | 'statusUpdate' | 'artifactUpdate', value: Record<string, unknown>): Record<string, unknown> {
  if (version === '1.0') return { [key]: value };
  return value;
}

export function renderStatusUpdate(version: WireVersion, task: TaskRecord): Record<string, unknown> {
  const status = { state: version === '1.0' ? v1State(task.state) : task.state, timestamp: new Date(task.updated).toISOString() };
  const body = { taskId: task.id, contextId: task.contextId, status };
  return version === '1.0' ? { statusUpdate: body } : { kind: 'status-update', ...body, final: TERMINAL.includes(task.state) };
}

export function renderArtifactUpdate(version: WireVersion, task: TaskRecord, artifact: { artifactId: string; text: string }): Record<string, unknown> {
  const body = { taskId: task.id, contextId: task.contextId, artifact: { artifactId: artifact.artifactId, parts: [part(version, artifact.text)] } };
  return version === '1.0' ? { artifactUpdate: body } : { kind: 'artifact-update', ...body };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a user message in either form; a string naming the problem when it is not one. */
export function parseUserMessage(version: WireVersion, value: unknown): TextMessage | string {
  if (!isObject(value)) return 'params.message must be a Message object';
  if (typeof value['messageId'] !== 'string' || value['messageId'] === '') return 'params.message.messageId must be a non-empty string';
  const role = value['role'];
  if (version === '1.0' ? role !== 'ROLE_USER' : role !== 'user') return `params.message.role must be ${version === '1.0' ? 'ROLE_USER' : 'user'}`;
  const parts = value['parts'];
  if (!Array.isArray(parts) || parts.length === 0) return 'params.message.parts must be a non-empty array';
  const texts: string[] = [];
  for (const p of parts) {
    if (!isObject(p)) return 'every part must be an object';
    if (typeof p['text'] === 'string') texts.push(p['text']);
  }
  return {
    messageId: value['messageId'],
    role: 'user',
    text: texts.join(''),
    ...(typeof value['contextId'] === 'string' ? { contextId: value['contextId'] } : {}),
    ...(typeof value['taskId'] === 'string' ? { taskId: value['taskId'] } : {}),
  };
}
