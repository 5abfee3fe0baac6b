/** Progress of a long job, reported by the library and drawn by the CLI (bar on a TTY, log lines otherwise). */
export interface Progress {
  start(label: string, total: number): void;
  advance(by: number): void;
  stop(): void;
}

export const silentProgress: Progress = {
  start: () => undefined,
  advance: () => undefined,
  stop: () => undefined,
};
