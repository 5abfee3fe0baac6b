import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type LabelingConfig, type Lease, type Pick, type QueryResponse, type Stats } from './api.js';
import { highlightEntities } from './highlight.js';
import { logEvent } from './page-log.js';
import { labelSet, shortcutOf } from './shortcuts.js';

/** At most this many items skipped in a row are asked past (the query asks for 1 + skipped items). */
const MAX_SKIPPED = 20;

interface Current {
  pick: Pick;
  query: QueryResponse;
}

type Status = { kind: 'loading' } | { kind: 'empty'; message: string } | { kind: 'item'; current: Current } | { kind: 'error'; message: string };

const percent = (p: number): string => `${Math.round(p * 100)}%`;

/**
 * The annotator's view: the next pick (leased to them), its text with the entities highlighted, why it was
 * picked, the model's prediction preselected, and label buttons driven by the keyboard.
 */
export function AnnotatorView({ annotator, config }: { annotator: string; config: LabelingConfig }) {
  const [status, setStatus] = useState<Status>({ kind: 'loading' });
  const [labels, setLabels] = useState<string[]>(config.labels);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const selectedRef = useRef<string | undefined>(undefined);
  const select = (label: string | undefined) => {
    selectedRef.current = label;
    setSelected(label);
  };
  const busyRef = useRef(false);
  const [notice, setNotice] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const skipped = useRef<Set<string>>(new Set());
  const undoStack = useRef<Array<{ id: string; label: string; shown: Current }>>([]);
  const currentId = useRef<string | undefined>(undefined);

  /** The open item leaves the screen: logged before its lease is given up (label, skip, undo), never after. */
  const leave = useCallback(() => {
    if (currentId.current) logEvent({ type: 'left', id: currentId.current, annotator });
    currentId.current = undefined;
  }, [annotator]);

  const show = useCallback(
    (current: Current | undefined, message = 'Nothing left to label: every item is labeled or reserved by someone else.') => {
      leave();
      currentId.current = current?.pick.id;
      if (!current) {
        setStatus({ kind: 'empty', message });
        return;
      }
      const prediction = current.pick.prediction;
      select(prediction?.label);
      setStatus({ kind: 'item', current });
      logEvent({ type: 'shown', id: current.pick.id, annotator, ...(prediction ? { prediction: { label: prediction.label, probability: prediction.probability } } : {}) });
    },
    [leave],
  );

  const refreshLabels = useCallback(
    async (query?: QueryResponse) => {
      const stats = await api<Stats>('GET', '/v1/stats').catch(() => undefined);
      setLabels(labelSet(config.labels, query?.model.classes ?? [], Object.keys(stats?.labels ?? {})));
    },
    [config.labels],
  );

  /** Queries the next pick for this annotator, past the items skipped this session; other picks' leases are released. */
  const next = useCallback(async () => {
    setStatus({ kind: 'loading' });
    const avoid = [...skipped.current].slice(-MAX_SKIPPED);
    const query = await api<QueryResponse>('POST', '/v1/query', { batchSize: 1 + avoid.length, annotator });
    const pick = query.picks.find((p) => !avoid.includes(p.id));
    const extra = query.picks.filter((p) => p !== pick).map((p) => p.id);
    if (extra.length > 0) await api('POST', '/v1/leases/release', { ids: extra, annotator });
    await refreshLabels(query);
    if (!pick && query.picks.length > 0) {
      skipped.current.clear();
      show(undefined, 'Only items you skipped are left. Reload the page to see them again.');
      return;
    }
    show(pick ? { pick, query } : undefined);
  }, [annotator, refreshLabels, show]);

  const run = useCallback(async (action: () => Promise<void>) => {
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    setNotice('');
    try {
      await action();
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    void run(next);
  }, [next, run]);

  // Keep the open item's lease alive (a third of the lease length), and say so when it was lost.
  useEffect(() => {
    if (status.kind !== 'item') return;
    const id = status.current.pick.id;
    const timer = setInterval(
      () => {
        api<{ leases: Lease[]; lost: string[] }>('POST', '/v1/leases/renew', { ids: [id], annotator })
          .then((reply) => {
            if (reply.lost.includes(id)) setNotice('This item was labeled elsewhere meanwhile; press S for the next one.');
          })
          .catch((error: unknown) => {
            if (error instanceof ApiError && error.status === 409) setNotice('Your reservation of this item ran out and someone else has it now; press S for the next one.');
          });
      },
      Math.max(1000, (config.leaseSeconds * 1000) / 3),
    );
    return () => clearInterval(timer);
  }, [status, annotator, config.leaseSeconds]);

  const submit = useCallback(
    (label: string) =>
      run(async () => {
        if (status.kind !== 'item') return;
        const { id } = status.current.pick;
        await api('POST', '/v1/labels', { labels: [{ id, label, annotator }] });
        leave();
        logEvent({ type: 'labeled', id, annotator, label });
        undoStack.current.push({ id, label, shown: status.current });
        await next();
      }),
    [status, annotator, run, next, leave],
  );

  const skip = useCallback(
    () =>
      run(async () => {
        if (status.kind !== 'item') return;
        const { id } = status.current.pick;
        leave();
        await api('POST', '/v1/leases/release', { ids: [id], annotator });
        skipped.current.add(id);
        logEvent({ type: 'skipped', id, annotator });
        await next();
      }),
    [status, annotator, run, next, leave],
  );

  const undo = useCallback(
    () =>
      run(async () => {
        const last = undoStack.current.at(-1);
        if (!last) {
          setNotice('Nothing to undo.');
          return;
        }
        await api('POST', '/v1/labels/undo', { id: last.id, annotator });
        undoStack.current.pop();
        logEvent({ type: 'undone', id: last.id, annotator, label: last.label });
        // The open item goes back to the pool; the undone one (the server leased it back to us) is shown again,
        // as it was picked.
        if (status.kind === 'item') {
          leave();
          await api('POST', '/v1/leases/release', { ids: [status.current.pick.id], annotator });
        }
        show(last.shown);
      }),
    [status, annotator, run, show, leave],
  );

  // One key handler for the view's life, reading the latest state through refs: a digit and Enter pressed
  // in quick succession must see the digit's choice, and keys pressed while a request runs are ignored.
  const live = useRef({ status, labels, submit, skip, undo });
  live.current = { status, labels, submit, skip, undo };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
      const shortcut = shortcutOf(event);
      if (!shortcut) return;
      event.preventDefault();
      if (busyRef.current) return;
      const { status: now, labels: shown } = live.current;
      if (shortcut.kind === 'undo') void live.current.undo();
      if (now.kind !== 'item') return;
      if (shortcut.kind === 'select' && shown[shortcut.index]) select(shown[shortcut.index]);
      if (shortcut.kind === 'confirm' && selectedRef.current) void live.current.submit(selectedRef.current);
      if (shortcut.kind === 'skip') void live.current.skip();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (status.kind === 'loading') return html`<section class="card"><p class="muted">Choosing the next item…</p></section>`;
  if (status.kind === 'error') return html`<section class="card error">${status.message}</section>`;
  if (status.kind === 'empty') {
    return html`<section class="card" data-testid="empty"><p>${status.message}</p>${notice && html`<p class="notice">${notice}</p>`}
      <p class="muted">U undoes your last label.</p></section>`;
  }

  const { pick, query } = status.current;
  const segments = highlightEntities(pick.text, pick.entities);
  const gaps = pick.entities.filter((e) => e.gapBefore > 0 && e.coverageBefore === 0).slice(0, 5);
  const uncertainty = pick.components.uncertainty;
  const ranked = Object.entries(pick.prediction?.probabilities ?? {}).sort((a, b) => b[1] - a[1]);
  return html`
    <section class="card" data-testid="item" data-item-id=${pick.id}>
      <div class="item-head">
        <span class="muted">Item <code>${pick.id}</code></span>
        <span class="muted">chosen by <b>${pick.strategy}</b>${query.fallback ? ` (fallback: ${query.fallback.reason})` : ''}</span>
      </div>
      <p class="text" data-testid="text">
        ${segments.map((s) => (s.entity ? html`<mark class="entity" title=${s.entity}>${s.text}</mark>` : s.text))}
      </p>
      <div class="why" data-testid="why">
        <h3>Why this one</h3>
        <ul>
          ${gaps.length > 0
            ? html`<li>Fills knowledge gaps: ${gaps.map((e, i) => html`${i > 0 ? ', ' : ''}<b>${e.name}</b> <span class="muted">(centrality ${e.centrality.toFixed(3)}, no labeled item yet)</span>`)}</li>`
            : html`<li>It mentions no uncovered entity of note.</li>`}
          ${ranked.length >= 2
            ? html`<li>The model is unsure about it: ${ranked[0]![0]} ${percent(ranked[0]![1])} against ${ranked[1]![0]} ${percent(ranked[1]![1])}${uncertainty && uncertainty.normalized > 0 ? ` (uncertainty ${percent(uncertainty.normalized)} of the most uncertain candidate's)` : ''}.</li>`
            : html`<li class="muted">No model yet${query.coldStartReason ? `: ${query.coldStartReason}` : ''}; chosen by knowledge coverage.</li>`}
        </ul>
      </div>
      ${pick.prediction
        ? html`<p class="prediction" data-testid="prediction">The model predicts <b>${pick.prediction.label}</b> (${percent(pick.prediction.probability)}) — preselected, Enter confirms.</p>`
        : html`<p class="prediction muted" data-testid="no-prediction">No prediction yet: the model trains once two classes are labeled and the items are embedded.</p>`}
      <div class="labels" role="group" aria-label="labels">
        ${labels.map(
          (label, i) => html`<button
            class=${label === selected ? 'label selected' : 'label'}
            data-label=${label}
            disabled=${busy}
            onClick=${() => submit(label)}
          >
            ${i < 9 ? html`<kbd>${i + 1}</kbd> ` : ''}${label}${pick.prediction?.probabilities[label] !== undefined ? html` <small>${percent(pick.prediction.probabilities[label]!)}</small>` : ''}
          </button>`,
        )}
      </div>
      ${labels.length === 0 ? html`<p class="notice">No label set yet: start the server with KGAL_LABELS=a,b,c (or label some items first).</p>` : ''}
      <p class="keys muted"><kbd>1</kbd>–<kbd>9</kbd> choose · <kbd>Enter</kbd> confirm · <kbd>S</kbd> skip · <kbd>U</kbd> undo last label</p>
      ${notice && html`<p class="notice" data-testid="notice">${notice}</p>`}
    </section>
  `;
}
