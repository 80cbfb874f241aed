// Plan: per bus and connection, the block reads of a full sweep — the registers each request covers
// (a small map: entities' registers filled, bridged gaps grey), the entities it carries, the registers
// bridged, its bus time, and the learned holes that forced blocks apart.
/* global document */
import { el, fmt, table } from './dom.js';

const FN = { 1: 'coils', 2: 'discrete inputs', 3: 'holding', 4: 'input' };
const SVG = 'http://www.w3.org/2000/svg';

function blockMap(block) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'blockmap');
  svg.setAttribute('width', '140');
  svg.setAttribute('height', '12');
  svg.setAttribute('viewBox', `0 0 ${block.count} 1`);
  svg.setAttribute('preserveAspectRatio', 'none');
  const rect = (cls, x, w) => {
    const r = document.createElementNS(SVG, 'rect');
    r.setAttribute('class', cls);
    r.setAttribute('x', String(x));
    r.setAttribute('width', String(w));
    r.setAttribute('y', '0');
    r.setAttribute('height', '1');
    svg.append(r);
  };
  rect('gap', 0, block.count);
  for (const [, address, count] of block.items) rect('item', address - block.address, count);
  return svg;
}

function entityList(items) {
  const ids = items.map(([id]) => id);
  return ids.length <= 4 ? ids.join(', ') : `${ids.slice(0, 4).join(', ')} +${ids.length - 4} more`;
}

export function renderPlan(data) {
  const root = document.getElementById('plan');
  if (data.buses.length === 0) return root.replaceChildren(el('p', { class: 'muted' }, 'No connections configured.'));
  root.replaceChildren(...data.buses.map((bus) => el('div', { class: 'panel', 'data-testid': 'plan-bus' },
    el('h2', {}, bus.key),
    el('p', { class: 'muted' }, bus.holes.length === 0 ? 'No illegal-address holes learned on this bus.'
      : `Learned holes (never bridged): ${bus.holes.map((h) => `unit ${h.unitId} ${FN[h.fn]} ${h.start}–${h.end - 1}`).join('; ')}`),
    ...(bus.readSizes ?? []).filter((r) => r.maxRegisters !== undefined).map((r) => el('p', { class: 'muted' },
      `Unit ${r.unitId} refused a read of ${r.smallestRefused} registers; reads of it stay at ${r.maxRegisters} or fewer (largest that worked: ${r.largestOk}).`)),
    ...bus.connections.map((c) => el('div', {},
      el('h3', {}, `${c.name}: ${fmt(c.blocks.length)} requests per full sweep (${fmt(c.costMs, 1)} ms of bus time) instead of ${fmt(c.singleRequests)} (${fmt(c.singleCostMs, 1)} ms) one entity at a time`
        + (c.holesAvoided ? `; ${c.holesAvoided} split${c.holesAvoided === 1 ? '' : 's'} at a learned hole` : '')),
      table([
        { title: 'Unit', num: true, cell: (b) => b.unitId },
        { title: 'Table', cell: (b) => FN[b.fn] ?? `fc${b.fn}` },
        { title: 'Registers', cell: (b) => `${b.address}–${b.address + b.count - 1}` },
        { title: 'Count', num: true, cell: (b) => b.count },
        { title: 'Map', cell: blockMap },
        { title: 'Entities', num: true, cell: (b) => b.items.length },
        { title: 'Carries', wrap: true, cell: (b) => entityList(b.items) },
        { title: 'Bridged', num: true, cell: (b) => b.bridged },
        { title: 'Bus time', num: true, cell: (b) => `${fmt(b.costMs, 1)} ms` },
        { title: 'Hole before', cell: (b) => (b.holeBefore ? `${b.holeBefore.start}–${b.holeBefore.end - 1} avoided` : '') },
      ], c.blocks, 'no entities on this connection'),
    )),
  )));
}
