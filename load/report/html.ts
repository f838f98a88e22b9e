/** Placeholder until the HTML report lands: a minimal self-contained page. */
import type { LoadReport } from './report.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function renderHtmlReport(report: LoadReport): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>agtest load: ${escape(report.scenario)}</title></head><body><pre>${escape(JSON.stringify(report.summary, null, 2))}</pre></body></html>\n`;
}
