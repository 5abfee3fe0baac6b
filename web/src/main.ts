import { html } from 'htm/preact';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { AnnotatorView } from './annotator-view.js';
import { api, onKeyNeeded, type LabelingConfig } from './api.js';
import { GraphView } from './graph-view.js';
import { LeadView } from './lead-view.js';
import './page-log.js';
import './style.css';

const ANNOTATOR_STORAGE = 'kgal.annotator';
type Tab = 'label' | 'lead' | 'graph';
const TABS: Array<{ id: Tab; title: string }> = [
  { id: 'label', title: 'Label' },
  { id: 'lead', title: "Lead's view" },
  { id: 'graph', title: 'Knowledge graph' },
];

const tabOf = (hash: string): Tab => (TABS.find((t) => `#${t.id}` === hash)?.id ?? 'label');

/** Asks for the API key when the server answers 401 (it is then kept in localStorage). */
function KeyPrompt({ onDone }: { onDone: (key: string) => void }) {
  const [key, setKey] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return html`<div class="modal" data-testid="key-prompt">
    <form class="card" onSubmit=${(e: Event) => (e.preventDefault(), key && onDone(key))}>
      <h3>This server needs an API key</h3>
      <p class="muted">Ask the person who runs it (KGAL_API_KEY). It is kept in this browser only.</p>
      <input type="password" ref=${input} value=${key} onInput=${(e: Event) => setKey((e.target as HTMLInputElement).value)} placeholder="API key" />
      <button type="submit">Use this key</button>
    </form>
  </div>`;
}

function AnnotatorForm({ onDone }: { onDone: (name: string) => void }) {
  const [name, setName] = useState('');
  const input = useRef<HTMLInputElement>(null);
  // Focused at once, so the name can be typed straight away (autofocus is not applied to rendered inputs).
  useEffect(() => input.current?.focus(), []);
  return html`<form class="card" data-testid="annotator-form" onSubmit=${(e: Event) => (e.preventDefault(), name.trim() && onDone(name.trim()))}>
    <h3>Who is labeling?</h3>
    <p class="muted">Your name goes with every label you give (kept in this browser).</p>
    <input ref=${input} value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} placeholder="your name" />
    <button type="submit">Start labeling</button>
  </form>`;
}

function App() {
  const [tab, setTab] = useState<Tab>(tabOf(location.hash));
  const [annotator, setAnnotator] = useState<string | null>(localStorage.getItem(ANNOTATOR_STORAGE));
  const [config, setConfig] = useState<LabelingConfig | undefined>(undefined);
  const [keyRequest, setKeyRequest] = useState<((key: string) => void) | undefined>(undefined);
  const [error, setError] = useState('');

  useEffect(() => {
    onKeyNeeded(() => new Promise<string>((resolve) => setKeyRequest(() => resolve)));
    const onHash = () => setTab(tabOf(location.hash));
    window.addEventListener('hashchange', onHash);
    api<LabelingConfig>('GET', '/v1/labeling/config')
      .then(setConfig)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const chooseAnnotator = (name: string | null) => {
    if (name) localStorage.setItem(ANNOTATOR_STORAGE, name);
    else localStorage.removeItem(ANNOTATOR_STORAGE);
    setAnnotator(name);
  };

  let body;
  if (error) body = html`<section class="card error">${error}</section>`;
  else if (tab === 'lead') body = html`<${LeadView} />`;
  else if (tab === 'graph') body = html`<${GraphView} />`;
  else if (!annotator) body = html`<${AnnotatorForm} onDone=${chooseAnnotator} />`;
  else if (!config) body = html`<section class="card"><p class="muted">Connecting…</p></section>`;
  else body = html`<${AnnotatorView} key=${annotator} annotator=${annotator} config=${config} />`;

  return html`
    <header>
      <b class="brand">kgal</b>
      <nav>${TABS.map((t) => html`<a href=${`#${t.id}`} class=${t.id === tab ? 'active' : ''}>${t.title}</a>`)}</nav>
      <span class="who">
        ${annotator ? html`labeling as <b data-testid="annotator">${annotator}</b> <button class="link" onClick=${() => chooseAnnotator(null)}>change</button>` : ''}
      </span>
    </header>
    <main>${body}</main>
    ${keyRequest && html`<${KeyPrompt} onDone=${(key: string) => (keyRequest(key), setKeyRequest(undefined))} />`}
  `;
}

render(html`<${App} />`, document.getElementById('app')!);
