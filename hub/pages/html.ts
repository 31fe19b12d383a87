// Server-rendered pages: no build step, no script, readable on any supervisor's browser.
export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#fff;color:#111;font-size:18px;line-height:1.5}
header{background:#0b3d91;color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:center;flex-wrap:wrap}
header a{color:#fff;font-weight:bold}
main{padding:16px 24px}
table{border-collapse:collapse;margin:12px 0;min-width:60%}
th,td{border:1px solid #555;padding:6px 10px;text-align:right}
th{background:#e8eef8}
td.l,th.l{text-align:left}
tr.city td{background:#f4f4f4;font-weight:bold}
.late{color:#b00020;font-weight:bold}
.stale{color:#8a5a00}
.big{font-size:24px}
form.inline{display:inline}
input,select,button{font-size:18px;padding:6px 10px}
button{background:#0b3d91;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{color:#b00020;font-weight:bold}
`;

export function page(title: string, body: string, nav = ''): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head><body><header><strong class="big">${esc(title)}</strong>${nav}</header><main>${body}</main></body></html>`;
}

export const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
export const num = (v: number | null) => (v === null ? '—' : String(v));
