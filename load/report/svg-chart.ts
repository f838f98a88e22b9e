/** Small inline SVG line charts for the HTML report: no scripts, no external resources. */

export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Tick labels for x, if the axis is not plain numbers (the percentile chart). */
  xTicks?: readonly { at: number; label: string }[];
  width?: number;
  height?: number;
}

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const num = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

/** Three to six round tick values covering [0, max]. */
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

export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 260;
  const pad = { left: 64, right: 16, top: 48, bottom: 44 };
  const all = options.series.flatMap((s) => s.points);
  const xMin = Math.min(...all.map((p) => p[0]), options.xTicks?.[0]?.at ?? Infinity);
  const xMax = Math.max(...all.map((p) => p[0]), options.xTicks?.at(-1)?.at ?? -Infinity);
  const yTicks = ticks(Math.max(0, ...all.map((p) => p[1])));
  const yMax = yTicks.at(-1)!;
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const sx = (x: number) => pad.left + (xMax > xMin ? ((x - xMin) / (xMax - xMin)) * plotW : plotW / 2);
  const sy = (y: number) => pad.top + plotH - (yMax > 0 ? (y / yMax) * plotH : 0);
  const parts: string[] = [];
  parts.push(`<svg id="${escapeXml(options.id)}" class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`);
  parts.push(`<text x="${pad.left}" y="18" class="title">${escapeXml(options.title)}</text>`);
  for (const y of yTicks) parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${sy(y)}" y2="${sy(y)}" class="grid"/><text x="${pad.left - 6}" y="${sy(y) + 4}" text-anchor="end" class="tick">${num(y)}</text>`);
  const xTicks = options.xTicks ?? (all.length ? ticks(xMax).filter((x) => x >= xMin && x <= xMax).map((at) => ({ at, label: num(at) })) : []);
  for (const tick of xTicks) parts.push(`<text x="${sx(tick.at)}" y="${height - pad.bottom + 16}" text-anchor="middle" class="tick">${escapeXml(tick.label)}</text>`);
  parts.push(`<text x="${pad.left + plotW / 2}" y="${height - 6}" text-anchor="middle" class="axis">${escapeXml(options.xLabel)}</text>`);
  parts.push(`<text x="14" y="${pad.top + plotH / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${pad.top + plotH / 2})">${escapeXml(options.yLabel)}</text>`);
  if (all.length === 0) parts.push(`<text x="${pad.left + plotW / 2}" y="${pad.top + plotH / 2}" text-anchor="middle" class="axis">no samples</text>`);
  for (const [i, series] of options.series.entries()) {
    if (series.points.length === 0) continue;
    const d = series.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${series.color}" stroke-width="2" class="series"/>`);
    if (series.points.length === 1) parts.push(`<circle cx="${sx(series.points[0]![0])}" cy="${sy(series.points[0]![1])}" r="3" fill="${series.color}"/>`);
    parts.push(`<rect x="${pad.left + 8 + i * 120}" y="${pad.top - 22}" width="10" height="10" fill="${series.color}"/><text x="${pad.left + 22 + i * 120}" y="${pad.top - 13}" class="legend">${escapeXml(series.name)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
