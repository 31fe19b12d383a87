// One column list for every form of the period report: the board table, CSV, XLSX and the
// printable page show the same figures in the same order.
import type { Figures, PeriodReport, ReportRow } from '../../queue/period-report.js';
import { csvCell } from '../../../common/csv.js';

export interface Column {
  id: string;
  zh: string;
  en: string;
  value(f: Figures): number | null;
}

const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 6000) / 10);
const pct = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);

export const COLUMNS: Column[] = [
  { id: 'issued', zh: '取号数', en: 'Issued', value: (f) => f.issued },
  { id: 'served', zh: '办结数', en: 'Served', value: (f) => f.served },
  { id: 'noShows', zh: '过号未办', en: 'No-shows', value: (f) => f.noShows },
  { id: 'waitMean', zh: '平均等候(分)', en: 'Mean wait (min)', value: (f) => minutes(f.waitMeanMs) },
  { id: 'waitP90', zh: '90%等候(分)', en: 'P90 wait (min)', value: (f) => minutes(f.waitP90Ms) },
  { id: 'handlingMean', zh: '平均办理(分)', en: 'Mean handling (min)', value: (f) => minutes(f.handlingMeanMs) },
  { id: 'green', zh: '绿色通道', en: 'Green', value: (f) => f.channels.green },
  { id: 'senior', zh: '爱心通道', en: 'Senior', value: (f) => f.channels.senior },
  { id: 'appointment', zh: '网上预约', en: 'Appointment', value: (f) => f.channels.appointment },
  { id: 'schoolBatch', zh: '学生批量', en: 'School batch', value: (f) => f.channels.schoolBatch },
  { id: 'level5', zh: '非常满意', en: 'Very satisfied', value: (f) => f.ratings.byLevel[5] },
  { id: 'level4', zh: '满意', en: 'Satisfied', value: (f) => f.ratings.byLevel[4] },
  { id: 'level3', zh: '基本满意', en: 'Fairly satisfied', value: (f) => f.ratings.byLevel[3] },
  { id: 'level2', zh: '不满意', en: 'Dissatisfied', value: (f) => f.ratings.byLevel[2] },
  { id: 'level1', zh: '非常不满意', en: 'Very dissatisfied', value: (f) => f.ratings.byLevel[1] },
  { id: 'goodRate', zh: '好评率(%)', en: 'Good rate (%)', value: (f) => pct(f.ratings.goodRate) },
  { id: 'notRated', zh: '未评价', en: 'Not rated', value: (f) => f.ratings.notRated },
  { id: 'bad', zh: '差评数', en: 'Bad ratings', value: (f) => f.ratings.bad },
  { id: 'rectOnTime', zh: '整改按期率(%)', en: 'Rectified on time (%)', value: (f) => pct(f.rectifications.onTimeRate) },
  { id: 'notices', zh: '一次性告知', en: 'Notices', value: (f) => f.notices },
  { id: 'rongque', zh: '容缺受理', en: '容缺 cases', value: (f) => f.rongque.cases },
  { id: 'rongqueDone', zh: '容缺已补齐', en: '容缺 completed', value: (f) => f.rongque.completed },
  { id: 'rongqueOverdue', zh: '容缺逾期', en: '容缺 overdue', value: (f) => f.rongque.overdue },
  { id: 'unresolvedOpen', zh: '办不成事未结', en: 'Unresolved open', value: (f) => f.unresolved.open },
  { id: 'unresolvedClosed', zh: '办不成事已结', en: 'Unresolved closed', value: (f) => f.unresolved.closed },
  { id: 'homeVisits', zh: '上门服务', en: 'Home visits', value: (f) => f.homeVisits },
  { id: 'petitions', zh: '信访投诉', en: 'Petitions', value: (f) => f.petitions },
];

export const SECTIONS = [
  { id: 'totals', zh: '汇总', en: 'Totals' },
  { id: 'byService', zh: '按业务', en: 'By service' },
  { id: 'byCounter', zh: '按窗口', en: 'By counter' },
  { id: 'byStaff', zh: '按人员', en: 'By staff' },
] as const;

function sectionRows(r: PeriodReport, section: (typeof SECTIONS)[number]['id']): ReportRow[] {
  if (section === 'totals') return [{ key: 'total', name: '合计', ...r.totals }];
  return r[section];
}

function title(r: PeriodReport, hall: string): string {
  return `${hall} ${r.kind === 'monthly' ? `${r.period}月度报表` : `${r.period}日报表`}（${r.from} 至 ${r.to}）`;
}

export function reportCsv(r: PeriodReport, hall: string): string {
  const lines = [[title(r, hall)], ['分组 section', '编号 key', '名称 name', ...COLUMNS.map((c) => `${c.zh} ${c.en}`)]];
  for (const s of SECTIONS) {
    for (const row of sectionRows(r, s.id)) lines.push([s.zh, row.key, row.name, ...COLUMNS.map((c) => c.value(row) as never)]);
  }
  // BOM: Excel opens UTF-8 CSV as GBK without it.
  return `\uFEFF${lines.map((l) => l.map((v) => csvCell(v as string | number | null)).join(',')).join('\r\n')}\r\n`;
}

export async function reportXlsx(r: PeriodReport, hall: string): Promise<Buffer> {
  // exceljs takes ~0.3 s to load: only when someone exports, not at every start-up
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'hallq';
  wb.created = new Date(r.generatedAt);
  for (const s of SECTIONS) {
    const ws = wb.addWorksheet(s.zh);
    ws.addRow([title(r, hall)]);
    ws.addRow(['编号', '名称', ...COLUMNS.map((c) => c.zh)]);
    for (const row of sectionRows(r, s.id)) ws.addRow([row.key, row.name, ...COLUMNS.map((c) => c.value(row))]);
    ws.getRow(2).font = { bold: true };
    ws.columns.forEach((col, i) => {
      col.width = i < 2 ? 16 : 11;
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A4 landscape page for printing (not a ticket printer: this goes to the office printer). */
export function reportHtml(r: PeriodReport, hall: string): string {
  const head = `<tr><th>编号</th><th>名称</th>${COLUMNS.map((c) => `<th>${esc(c.zh)}</th>`).join('')}</tr>`;
  const body = SECTIONS.map((s) => {
    const rows = sectionRows(r, s.id)
      .map(
        (row) =>
          `<tr><td>${esc(row.key)}</td><td>${esc(row.name)}</td>${COLUMNS.map((c) => `<td>${c.value(row) ?? '—'}</td>`).join('')}</tr>`,
      )
      .join('');
    return `<h2>${s.zh}</h2><table>${head}${rows}</table>`;
  }).join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title(r, hall))}</title>
<style>@page{size:A4 landscape;margin:10mm}body{font:12px sans-serif;color:#000}h1{font-size:18px}h2{font-size:14px;margin:12px 0 4px}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #000;padding:2px 4px;text-align:right}td:nth-child(-n+2),th{text-align:left}</style>
</head><body><h1>${esc(title(r, hall))}</h1>${body}<p>生成时间：${new Date(r.generatedAt).toISOString()}</p></body></html>`;
}

/** The 办件效率 (handling time) report as CSV: one row per staff member, counter or service. */
export function handlingCsv(
  rows: {
    key: string | null;
    name?: string | null;
    served: number;
    avgHandlingMs: number;
    maxHandlingMs: number;
    avgWaitMs: number | null;
  }[],
  groupBy: string,
): string {
  const head = [
    groupBy,
    '名称 name',
    '办结 served',
    '平均办理(分) mean handling (min)',
    '最长办理(分) max handling (min)',
    '平均等候(分) mean wait (min)',
  ];
  const lines = [
    head,
    ...rows.map((r) => [r.key, r.name ?? r.key, r.served, minutes(r.avgHandlingMs), minutes(r.maxHandlingMs), minutes(r.avgWaitMs)]),
  ];
  return `\uFEFF${lines.map((l) => l.map((v) => csvCell(v as string | number | null)).join(',')).join('\r\n')}\r\n`;
}
