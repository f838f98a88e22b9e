/** A small inline SVG bar chart (one bar per category), styled like svg-chart.ts's line charts. */
const escapeXml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const num = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

export interface BarChartOptions {
  id: string;
  title: string;
  yLabel: string;
  bars: readonly { label: string; value: number; color: string }[];
  width?: number;
  height?: number;
}

function ticks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const step0 = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= step0)!;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.001; v += step) out.push(v);
  if (out.at(-1)! < max) out.push(out.at(-1)! + step);
  return out;
}

/** Bars are `path.series` like the line charts' series, so one headless check counts both. */
export function barChart(options: BarChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 260;
  const pad = { left: 64, right: 16, top: 40, bottom: 44 };
  const yTicks = ticks(Math.max(0, ...options.bars.map((b) => b.value)));
  const yMax = yTicks.at(-1)!;
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const sy = (y: number) => pad.top + plotH - (yMax > 0 ? (y / yMax) * plotH : 0);
  const slot = options.bars.length ? plotW / options.bars.length : plotW;
  const parts = [`<svg id="${escapeXml(options.id)}" class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`, `<text x="${pad.left}" y="18" class="title">${escapeXml(options.title)}</text>`];
  for (const y of yTicks) parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${sy(y)}" y2="${sy(y)}" class="grid"/><text x="${pad.left - 6}" y="${sy(y) + 4}" text-anchor="end" class="tick">${num(y)}</text>`);
  parts.push(`<text x="14" y="${pad.top + plotH / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${pad.top + plotH / 2})">${escapeXml(options.yLabel)}</text>`);
  if (options.bars.length === 0) parts.push(`<text x="${pad.left + plotW / 2}" y="${pad.top + plotH / 2}" text-anchor="middle" class="axis">no runs</text>`);
  for (const [i, bar] of options.bars.entries()) {
    const x = pad.left + i * slot + slot * 0.2;
    const w = slot * 0.6;
    const top = sy(bar.value);
    const bottom = sy(0);
    parts.push(`<path d="M${x.toFixed(1)},${bottom.toFixed(1)} L${x.toFixed(1)},${top.toFixed(1)} L${(x + w).toFixed(1)},${top.toFixed(1)} L${(x + w).toFixed(1)},${bottom.toFixed(1)} Z" fill="${bar.color}" class="series"><title>${escapeXml(`${bar.label}: ${num(bar.value)}`)}</title></path>`);
    parts.push(`<text x="${(x + w / 2).toFixed(1)}" y="${height - pad.bottom + 16}" text-anchor="middle" class="tick">${escapeXml(bar.label)}</text>`);
    parts.push(`<text x="${(x + w / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" class="legend">${num(bar.value)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
