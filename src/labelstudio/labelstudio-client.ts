/**
 * The few Label Studio REST calls kgal makes (with the access token Label Studio hands over in /setup):
 * list a project's tasks, import a round's predictions in one request, point the project at a model version,
 * delete an old version's predictions. Errors name the call and what Label Studio said, never the token.
 */
import { KgalError } from '../errors/kgal-error.js';
import type { ChoicesResult, LabelStudioTask } from './task-mapping.js';

/** Label Studio could not be reached or failed (network error, timeout, 5xx); HTTP 502 when it surfaces in a request. */
export class LabelStudioUnavailableError extends KgalError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('rejected', message, { ...options, status: 502 });
    this.name = 'LabelStudioUnavailableError';
  }
}

/** Label Studio refused a call (4xx: bad token, unknown project, invalid data). */
export class LabelStudioRequestError extends KgalError {
  constructor(message: string, readonly httpStatus: number) {
    super('rejected', message, { status: 502 });
    this.name = 'LabelStudioRequestError';
  }
}

export interface ListedTask extends LabelStudioTask {
  is_labeled?: boolean;
  total_annotations?: number;
  cancelled_annotations?: number;
}

export interface PredictionImport {
  task: number;
  model_version: string;
  score: number;
  result: ChoicesResult[];
}

const TASK_PAGE = 500;

export class LabelStudioClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const what = `Label Studio ${method} ${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Token ${this.token}`, 'content-type': 'application/json', accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new LabelStudioUnavailableError(`${what}: unreachable (${cause})`, { cause: error });
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      let detail = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { detail?: unknown; validation_errors?: unknown };
        detail = JSON.stringify(parsed.validation_errors ?? parsed.detail ?? parsed).slice(0, 300);
      } catch {
        // not JSON: the text itself
      }
      if (response.status >= 500) throw new LabelStudioUnavailableError(`${what}: HTTP ${response.status} ${detail}`);
      throw new LabelStudioRequestError(`${what}: HTTP ${response.status} ${detail}`, response.status);
    }
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new LabelStudioUnavailableError(`${what}: answered with something other than JSON`);
    }
  }

  /** Every task of the project (id, data, whether it is labeled), page by page. */
  async listTasks(projectId: number): Promise<ListedTask[]> {
    const tasks: ListedTask[] = [];
    for (let page = 1; ; page += 1) {
      const body = (await this.call('GET', `/api/tasks?project=${projectId}&page=${page}&page_size=${TASK_PAGE}`)) as { tasks?: ListedTask[]; total?: number } | ListedTask[];
      const batch = Array.isArray(body) ? body : (body?.tasks ?? []);
      tasks.push(...batch);
      const total = Array.isArray(body) ? undefined : body?.total;
      if (batch.length < TASK_PAGE || (total !== undefined && tasks.length >= total)) return tasks;
    }
  }

  /** One request: Label Studio creates all of them or (a bad task id) none. */
  async importPredictions(projectId: number, predictions: readonly PredictionImport[]): Promise<number> {
    const body = (await this.call('POST', `/api/projects/${projectId}/import/predictions`, predictions)) as { created?: number } | undefined;
    return body?.created ?? predictions.length;
  }

  /** The version whose predictions "Uncertainty sampling" orders by. */
  async setProjectModelVersion(projectId: number, modelVersion: string): Promise<void> {
    await this.call('PATCH', `/api/projects/${projectId}`, { model_version: modelVersion });
  }

  async projectModelVersion(projectId: number): Promise<string | undefined> {
    const body = (await this.call('GET', `/api/projects/${projectId}`)) as { model_version?: string } | undefined;
    return body?.model_version;
  }

  /** Deletes the project's predictions of one model version; returns how many. */
  async deleteModelVersion(projectId: number, modelVersion: string): Promise<void> {
    await this.call('DELETE', `/api/projects/${projectId}/model-versions/`, { model_version: modelVersion });
  }
}
