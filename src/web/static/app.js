// The page's entry: tabs (by URL hash), data fetched from the JSON API with relative URLs (so it works
// under Home Assistant's ingress prefix), and the live event stream feeding charts, the entity table and
// the optimization view. Full views are refetched every minute while shown.
/* global document, window, fetch, EventSource, setInterval */
import { renderActions } from './actions.js';
import { EntitiesView } from './entities.js';
import { renderOptimization } from './optimization.js';
import { OverviewView } from './overview.js';
import { renderPlan } from './plan.js';

const VIEWS = ['overview', 'entities', 'plan', 'optimization', 'actions'];
const REFRESH_MS = 60_000;
let offset = 0;
let current = 'overview';
const loaded = {};
const overview = new OverviewView();
const entities = new EntitiesView(() => offset);
const status = document.getElementById('status');

async function get(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

function problem(err) {
  status.className = 'status down';
  status.textContent = String(err.message ?? err);
}

const loaders = {
  overview: async () => {
    const o = await get('api/overview');
    offset = o.now - Date.now();
    overview.render(o);
  },
  entities: async () => entities.render(await get('api/entities')),
  plan: async () => renderPlan(await get('api/plan')),
  optimization: async () => renderOptimization(await get('api/optimization')),
  actions: async () => renderActions(await get('api/optimization'), () => {
    loaded.optimization = 0;
    load('actions').catch(problem);
  }),
};

async function load(view) {
  await loaders[view]();
  loaded[view] = Date.now();
}

function show() {
  const wanted = window.location.hash.slice(1);
  current = VIEWS.includes(wanted) ? wanted : 'overview';
  for (const v of VIEWS) {
    document.getElementById(`view-${v}`).hidden = v !== current;
    document.querySelector(`nav a[data-view="${v}"]`).setAttribute('aria-selected', String(v === current));
  }
  if (!loaded[current] || Date.now() - loaded[current] > REFRESH_MS) load(current).catch(problem);
}

function connect() {
  const events = new EventSource('api/events');
  events.addEventListener('open', () => {
    status.className = 'status live';
    status.textContent = 'live';
  });
  events.addEventListener('error', () => {
    status.className = 'status down';
    status.textContent = 'reconnecting…';
  });
  events.addEventListener('point', (e) => overview.point(JSON.parse(e.data)));
  events.addEventListener('values', (e) => {
    const { columns, rows } = JSON.parse(e.data);
    entities.live(rows, columns);
  });
  events.addEventListener('optimization', () => {
    loaded.optimization = 0;
    loaded.actions = 0;
    if (current === 'optimization' || current === 'actions') load(current).catch(problem);
  });
}

window.addEventListener('hashchange', show);
setInterval(() => {
  if (Date.now() - (loaded[current] ?? 0) > REFRESH_MS) load(current).catch(problem);
}, 5000);
load('overview').then(() => {
  show();
  connect();
}, problem);
