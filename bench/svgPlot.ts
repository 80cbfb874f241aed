/**
 * A dependency-free SVG line chart on log-log axes, enough for staleness-versus-bus-time curves:
 * one polyline with dots per series, decade grid lines, axis labels and a legend. Output is plain
 * text, so the same seed gives byte-identical plots.
 */
export interface PlotPoint {
  x: number;
  y: number;
}

export interface PlotSeries {
  name: string;
  color: string;
  points: PlotPoint[];
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: PlotSeries[];
  width?: number;
  height?: number;
}

const MARGIN = { left: 70, right: 170, top: 40, bottom: 50 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Decade bounds covering every positive value. */
function logRange(values: number[]): [number, number] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return [0, 1];
  return [Math.floor(Math.log10(Math.min(...positive))), Math.ceil(Math.log10(Math.max(...positive)))];
}

function tickLabel(exp: number): string {
  const v = 10 ** exp;
  return v >= 1 ? String(v) : v.toPrecision(1);
}

function axes(spec: ChartSpec, xr: [number, number], yr: [number, number], sx: (v: number) => number, sy: (v: number) => number, w: number, h: number): string[] {
  const out: string[] = [];
  for (let e = xr[0]; e <= xr[1]; e++) {
    const x = fmt(sx(10 ** e));
    out.push(`<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${h - MARGIN.bottom}" stroke="#ddd"/>`,
      `<text x="${x}" y="${h - MARGIN.bottom + 18}" text-anchor="middle">${tickLabel(e)}</text>`);
  }
  for (let e = yr[0]; e <= yr[1]; e++) {
    const y = fmt(sy(10 ** e));
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${w - MARGIN.right}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickLabel(e)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${w - MARGIN.left - MARGIN.right}" height="${h - MARGIN.top - MARGIN.bottom}" fill="none" stroke="#333"/>`,
    `<text x="${(MARGIN.left + w - MARGIN.right) / 2}" y="${h - 10}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
    `<text transform="translate(16 ${(MARGIN.top + h - MARGIN.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`,
    `<text x="${MARGIN.left}" y="24" font-weight="bold">${esc(spec.title)}</text>`);
  return out;
}

function seriesMarks(spec: ChartSpec, sx: (v: number) => number, sy: (v: number) => number, w: number): string[] {
  return spec.series.flatMap((s, i) => {
    const pts = s.points.filter((p) => p.x > 0 && p.y > 0).sort((a, b) => a.x - b.x);
    const path = pts.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.y))}`).join(' ');
    const ly = MARGIN.top + 10 + 20 * i;
    return [
      `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`,
      ...pts.map((p) => `<circle cx="${fmt(sx(p.x))}" cy="${fmt(sy(p.y))}" r="3.5" fill="${s.color}"/>`),
      `<line x1="${w - MARGIN.right + 12}" y1="${ly}" x2="${w - MARGIN.right + 32}" y2="${ly}" stroke="${s.color}" stroke-width="3"/>`,
      `<text x="${w - MARGIN.right + 38}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`,
    ];
  });
}

export function logLogChart(spec: ChartSpec): string {
  const w = spec.width ?? 720;
  const h = spec.height ?? 440;
  const all = spec.series.flatMap((s) => s.points);
  const xr = logRange(all.map((p) => p.x));
  const yr = logRange(all.map((p) => p.y));
  const sx = (v: number) => MARGIN.left + ((Math.log10(v) - xr[0]) / Math.max(1, xr[1] - xr[0])) * (w - MARGIN.left - MARGIN.right);
  const sy = (v: number) => h - MARGIN.bottom - ((Math.log10(v) - yr[0]) / Math.max(1, yr[1] - yr[0])) * (h - MARGIN.top - MARGIN.bottom);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    ...axes(spec, xr, yr, sx, sy, w, h),
    ...seriesMarks(spec, sx, sy, w),
    '</svg>',
    '',
  ].join('\n');
}
