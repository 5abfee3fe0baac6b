/**
 * What kgal remembers per connected Label Studio project, durably, as named store states (so a restarted
 * `kgal serve`, or another process on the same Neo4j, carries on): where Label Studio is and its token (from
 * /setup), the labeling config, the round kgal last wrote into the project (its model version and batch), and
 * which Label Studio annotation set which kgal label (Label Studio's delete event names annotation ids only).
 */
import type { GraphStore } from '../store/graph-store.js';

export interface ProjectState {
  /** As Label Studio names it in /setup and /predict: `<id>.<created_at>`. */
  project: string;
  projectId: number;
  /** Where Label Studio said it is (`hostname` of /setup). */
  hostname?: string;
  /** Label Studio's API token from /setup (kgal writes the task order with it). */
  accessToken?: string;
  labelConfig: string;
  /** The last round written into the project (0: none yet). */
  round: number;
  /** `kgal-r<round>`: the prediction version the project orders by, once a round is written. */
  modelVersion?: string;
  /** The round's picks (kgal item ids, rank order) and their Label Studio task ids. */
  batch: string[];
  batchTasks: Record<string, number>;
  /** Batch items whose task was skipped in Label Studio (they count as done for the round). */
  skipped: string[];
  lastRound?: { round: number; at: string; tasks: number; picks: number; strategy: string; coldStart: boolean; millis: number; outsideProject: number };
  /** The last failed round (Label Studio unreachable, token refused, ...); cleared by the next round written. */
  lastError?: { at: string; round: number; message: string };
}

export interface AnnotationRecord {
  item: string;
  annotator: string;
  label: string;
}

export const projectStateName = (projectId: number): string => `labelstudio:project:${projectId}`;
export const annotationStateName = (projectId: number): string => `labelstudio:annotations:${projectId}`;

export async function readProjectState(store: GraphStore, projectId: number): Promise<ProjectState | undefined> {
  return (await store.getState(projectStateName(projectId))) as ProjectState | undefined;
}

/** Read-modify-write of a project's state (atomic in the store, also across processes on one Neo4j). */
export function updateProjectState(
  store: GraphStore,
  projectId: number,
  update: (current: ProjectState | undefined) => ProjectState,
): Promise<ProjectState> {
  return store.updateState<ProjectState>(projectStateName(projectId), update);
}

/** The project's numeric id from Label Studio's `<id>.<created_at>` (or a bare id). */
export function projectIdOf(project: unknown): number | undefined {
  const text = typeof project === 'number' ? String(project) : typeof project === 'string' ? project : '';
  const match = /^(\d+)(?:\.\d+)?$/.exec(text.trim());
  return match ? Number(match[1]) : undefined;
}

/** The state as shown over HTTP: everything but the token. */
export function publicProjectState(state: ProjectState): Omit<ProjectState, 'accessToken'> & { hasAccessToken: boolean } {
  const { accessToken, ...rest } = state;
  return { ...rest, hasAccessToken: !!accessToken };
}
