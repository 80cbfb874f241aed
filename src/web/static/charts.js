// Time-series charts on uPlot (served from the app: vendor/uPlot.min.js, no network fetch). Colours come
// from the page's CSS variables, so charts follow the light or dark theme; a theme switch redraws them.
/* global uPlot, document, window, getComputedStyle, ResizeObserver */
import { el, fmt } from './dom.js';

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const charts = new Set();

window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  for (const c of charts) c.rebuild();
});

/** One titled chart of one or more lines over time (t in seconds). */
export class LineChart {
  constructor(parent, title, { unit = '', digits = 2, testid } = {}) {
    this.unit = unit;
    this.digits = digits;
    this.labels = [];
    this.data = [[]];
    this.plot = undefined;
    this.target = el('div');
    this.box = el('div', { class: 'chart', 'data-testid': testid }, el('div', { class: 'title' }, title), this.target);
    parent.append(this.box);
    this.resize = new ResizeObserver(() => this.plot?.setSize(this.size()));
    this.resize.observe(this.box);
    charts.add(this);
  }

  size() {
    const width = Math.max(200, this.box.clientWidth - 12);
    return { width, height: Math.round(Math.min(260, Math.max(160, width * 0.42))) };
  }

  /** labels: one per line; data: [t[], y1[], y2[], …] aligned on t. */
  set(labels, data) {
    const changed = labels.join('\u0000') !== this.labels.join('\u0000');
    this.labels = labels;
    this.data = data;
    if (changed || !this.plot) this.rebuild();
    else this.plot.setData(data);
  }

  destroy() {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
    charts.delete(this);
  }

  rebuild() {
    this.plot?.destroy();
    const axis = { stroke: css('--muted'), grid: { stroke: css('--border'), width: 1 }, ticks: { stroke: css('--border'), width: 1 } };
    const colours = [1, 2, 3, 4, 5].map((i) => css(`--series-${i}`));
    const value = (_u, v) => (v === null || v === undefined ? '–' : `${fmt(v, this.digits)}${this.unit ? ` ${this.unit}` : ''}`);
    this.plot = new uPlot({
      ...this.size(),
      scales: { x: { time: true, range: (_u, min, max) => (max - min < 60 ? [min - 60, max + 60] : [min, max]) } },
      axes: [axis, { ...axis, size: 56, values: (_u, ticks) => ticks.map((t) => fmt(t, this.digits)) }],
      series: [{}, ...this.labels.map((label, i) => ({
        label, stroke: colours[i % colours.length], width: 2, spanGaps: true, value,
        points: { show: this.data[0].length < 3 },
      }))],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    }, this.data, this.target);
  }
}

/** Appends one point to aligned data in place, keeping at most `max` points. */
export function appendPoint(data, t, values, max) {
  data[0].push(t);
  values.forEach((v, i) => {
    data[i + 1] ??= [];
    data[i + 1].push(v);
  });
  if (data[0].length > max) for (const col of data) col.splice(0, col.length - max);
}
