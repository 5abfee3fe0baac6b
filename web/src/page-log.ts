/**
 * What the page did, readable from outside (window.kgalPage): which item was on screen when, the
 * predictions it showed, and the graph view's state. The browser test reads it; it is also handy in devtools.
 */
export interface PageEvent {
  type: 'shown' | 'left' | 'labeled' | 'skipped' | 'undone';
  id: string;
  /** performance.timeOrigin + performance.now(), ms. */
  at: number;
  annotator: string;
  prediction?: { label: string; probability: number };
  label?: string;
}

export interface GraphViewState {
  rendered: boolean;
  nodes: number;
  edges: number;
  covered: number;
  gaps: number;
  nextBatch: number;
  colors: { covered: string; gap: string; nextBatch: string };
}

export interface PageLog {
  events: PageEvent[];
  graph?: GraphViewState;
}

declare global {
  interface Window {
    kgalPage: PageLog;
  }
}

window.kgalPage ??= { events: [] };

export function logEvent(event: Omit<PageEvent, 'at'>): void {
  window.kgalPage.events.push({ ...event, at: performance.timeOrigin + performance.now() });
}

export function setGraphState(state: GraphViewState): void {
  window.kgalPage.graph = state;
}
