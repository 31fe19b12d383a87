// Server-rendered pages: no build step, no script, readable on any supervisor's browser.
export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#fff;color:#111;font-size:18px;line-height:1.5}
header{background:#0b3d91;color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:center;flex-wrap:wrap}
header a{color:#fff;font-weight:bold}
header h1{font-size:24px;margin:0}
main{padding:16px 24px}
table{border-collapse:collapse;margin:12px 0;min-width:60%}
.tw{overflow-x:auto;max-width:100%;margin:12px 0}
.tw table{margin:0}
.tw:focus-visible{outline:3px solid #0b3d91;outline-offset:2px}
th,td{border:1px solid #555;padding:6px 10px;text-align:right}
th{background:#e8eef8;white-space:nowrap}
td.l{min-width:5em}
.live-filter{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center}
@media (max-width:700px){
main{padding:12px}
header{padding:10px 12px;gap:8px 16px}
table{min-width:0}
table.live{display:block;overflow:visible}
table.live thead{display:none}
table.live tbody{display:grid;gap:10px}
table.live tr{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;border:2px solid #0b3d91;border-radius:8px;padding:8px 12px}
table.live td{border:0;padding:0;text-align:left;display:contents}
table.live td::before{content:attr(data-label);color:#444}
table.live td.hall{font-weight:bold}
.live-filter label{display:flex;gap:8px;align-items:center;width:100%}
.live-filter select{flex:1;min-width:0}
}
td.l,th.l{text-align:left}
tr.city td{background:#f4f4f4;font-weight:bold}
.late{color:#b00020;font-weight:bold}
.stale{color:#8a5a00}
tr.divert td{background:#fff4d6;font-weight:bold}
.big{font-size:24px}
form.inline{display:inline}
input,select,button{font-size:18px;padding:6px 10px}
button{background:#0b3d91;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{color:#b00020;font-weight:bold}
`;

export function page(title: string, body: string, nav = ''): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head><body><header><h1>${esc(title)}</h1>${nav}</header><main>${body}</main></body></html>`;
}

/**
 * A wide table in its own sideways-scrolling box, so the page itself never scrolls sideways (a 17-column
 * report on a phone or a 1366 px laptop); the box is a named region reachable by keyboard (axe
 * scrollable-region-focusable), so it can be scrolled without a mouse.
 */
export function scrollTable(label: string, table: string): string {
  return `<div class="tw" role="region" aria-label="${esc(label)}" tabindex="0">${table}</div>`;
}

export const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
export const num = (v: number | null) => (v === null ? '—' : String(v));
