// 月度考核报表 as CSV (UTF-8 with BOM, so Excel opens the Chinese headers) and XLSX (exceljs).
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { HallMonthRow } from './reports.js';
import { csvCell } from '../common/csv.js';

const pct = (v: number | null) => (v === null ? '' : `${(v * 100).toFixed(1)}%`);

export const COLUMNS: { header: string; value: (r: HallMonthRow) => string | number }[] = [
  { header: '城市', value: (r) => r.city },
  { header: '大厅编号', value: (r) => r.hallId },
  { header: '大厅', value: (r) => r.hallName },
  { header: '办件量', value: (r) => r.tickets },
  { header: '平均等候(分钟)', value: (r) => r.avgWaitMin ?? '' },
  { header: '90%等候(分钟)', value: (r) => r.p90WaitMin ?? '' },
  { header: '平均办理(分钟)', value: (r) => r.avgHandlingMin ?? '' },
  { header: '非常满意', value: (r) => r.levels[4] },
  { header: '满意', value: (r) => r.levels[3] },
  { header: '基本满意', value: (r) => r.levels[2] },
  { header: '不满意', value: (r) => r.levels[1] },
  { header: '非常不满意', value: (r) => r.levels[0] },
  { header: '未评价', value: (r) => r.notRated },
  { header: '好评率', value: (r) => pct(r.goodRate) },
  { header: '差评数', value: (r) => r.bad },
  { header: '整改应办结', value: (r) => r.rectDue },
  { header: '整改按期办结', value: (r) => r.rectOnTime },
  { header: '整改按期率', value: (r) => pct(r.onTimeRate) },
  { header: '办不成事(新增)', value: (r) => r.unresolvedOpened },
  { header: '办不成事(已办结)', value: (r) => r.unresolvedClosed },
  { header: '一次性告知', value: (r) => r.notices },
  { header: '容缺受理', value: (r) => r.acceptedWithMissing },
  { header: '容缺补齐', value: (r) => r.cases.acceptedCompleted },
  { header: '容缺逾期未补齐', value: (r) => r.cases.acceptedOverdue },
  { header: '上门服务(新增)', value: (r) => r.cases.homeVisitOpened },
  { header: '上门服务(办结)', value: (r) => r.cases.homeVisitClosed },
  { header: '信访(新增)', value: (r) => r.cases.petitionOpened },
  { header: '信访(办结)', value: (r) => r.cases.petitionClosed },
  { header: '信访(逐级上报)', value: (r) => r.cases.petitionEscalated },
  { header: '自查(新增)', value: (r) => r.cases.selfCheckOpened },
  { header: '自查(办结)', value: (r) => r.cases.selfCheckClosed },
  { header: '抽样回访(新增)', value: (r) => r.cases.revisitOpened },
  { header: '抽样回访(办结)', value: (r) => r.cases.revisitClosed },
  { header: '回访满意', value: (r) => r.cases.callbackSatisfied },
  { header: '回访不满意', value: (r) => r.cases.callbackUnsatisfied },
  { header: '回访未联系上', value: (r) => r.cases.callbackNotReached },
  { header: '取号量', value: (r) => r.issued },
  { header: '过号', value: (r) => r.noShow },
  { header: '办结于闭厅', value: (r) => r.servedAtClose },
  { header: '日汇总天数', value: (r) => r.days },
  { header: '日结后修订天数', value: (r) => r.revisedDays },
  { header: '同步延迟', value: (r) => (r.late ? '是' : '否') },
];

export function toCsv(rows: HallMonthRow[]): string {
  const lines = [COLUMNS.map((c) => c.header).join(',')];
  for (const r of rows) lines.push(COLUMNS.map((c) => csvCell(c.value(r))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function toXlsx(rows: HallMonthRow[], title: string): Promise<Buffer> {
  // The streaming writer: a province's 1,500 rows in a fraction of the in-memory workbook's time.
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'hallq hub';
  const ws = wb.addWorksheet('月度考核');
  ws.columns = COLUMNS.map(() => ({ width: 14 }));
  ws.addRow([title]).commit();
  const head = ws.addRow(COLUMNS.map((c) => c.header));
  head.font = { bold: true };
  head.commit();
  for (const r of rows) ws.addRow(COLUMNS.map((c) => c.value(r))).commit();
  ws.commit();
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}
