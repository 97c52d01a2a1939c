/**
 * The auditors' workbook (<out>/审计结果.xlsx), written by xlsx.ts as it goes: sheets
 * 发现 (one row per finding per report, the same list as the index page, dismissed ones marked),
 * 报告 (one row per report), 未完整识别的文件 (failed and partial documents) and 规则检查 (what
 * each rule checked). Chinese headers, the header row frozen, an autofilter, column widths set.
 * The CSV and JSON exports stay the machine contract; this is for reading and sorting in Excel/WPS.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AuditData, ShownFinding } from '../site/audit-data.js';
import { cellLabel, severityZh, statusZh, templateZh } from '../site/labels.js';
import { queryRows } from '../query.js';
import { reasonZh } from '../reasons.js';
import type { ProblemRow } from '../site/index-page.js';
import type { RunChecks } from '../run-checks.js';
import { FileSink } from '../files.js';
import { XlsxWriter, type XlsxCell, type XlsxColumn } from './xlsx.js';

export const WORKBOOK_NAME = '审计结果.xlsx';

/** The sheets and their columns (a test reads the workbook back against these). */
export const WORKBOOK_SHEETS = {
  findings: {
    name: '发现',
    columns: [
      { header: '严重程度', width: 10 },
      { header: '规则', width: 18 },
      { header: '规则说明', width: 30 },
      { header: '机构', width: 24 },
      { header: '年度', width: 7 },
      { header: '地区', width: 14 },
      { header: '级别', width: 10 },
      { header: '位置', width: 32 },
      { header: '说明', width: 70 },
      { header: '应为', width: 10 },
      { header: '报告值', width: 10 },
      { header: '报告页', width: 12 },
      { header: '本次新发现', width: 10 },
      { header: '首次发现于', width: 24 },
      { header: '指纹', width: 34 },
      { header: '审核结论', width: 10 },
      { header: '审核说明', width: 30 },
      { header: '审核人', width: 10 },
      { header: '审核日期', width: 12 },
    ],
  },
  reports: {
    name: '报告',
    columns: [
      { header: '机构', width: 24 },
      { header: '年度', width: 7 },
      { header: '地区', width: 14 },
      { header: '级别', width: 10 },
      { header: '格式版本', width: 12 },
      { header: '状态', width: 10 },
      { header: '错误', width: 7 },
      { header: '警告', width: 7 },
      { header: '提示', width: 7 },
      { header: '文件数', width: 7 },
      { header: '报告页', width: 12 },
    ],
  },
  problems: {
    name: '未完整识别的文件',
    columns: [
      { header: '文件', width: 60 },
      { header: '状态', width: 10 },
      { header: '原因', width: 70 },
      { header: '报告页', width: 12 },
    ],
  },
  checks: {
    name: '规则检查',
    columns: [
      { header: '规则', width: 18 },
      { header: '说明', width: 40 },
      { header: '严重程度', width: 10 },
      { header: '检查的报告', width: 10 },
      { header: '通过', width: 8 },
      { header: '有发现', width: 8 },
      { header: '无法判断', width: 10 },
      { header: '发现', width: 8 },
    ],
  },
} as const satisfies Record<string, { name: string; columns: readonly XlsxColumn[] }>;

const link = (group: string | null, anchor?: string): XlsxCell =>
  group ? { text: '打开', hyperlink: `reports/${group}.html${anchor ? `#${anchor}` : ''}` } : null;

/** The rows of a sheet, each made as it is written (not a list of every finding's or report's row first). */
function* rowsOf<T>(items: readonly T[], row: (item: T) => XlsxCell[]): Iterable<XlsxCell[]> {
  for (const item of items) yield row(item);
}

export interface WorkbookInput {
  data: AuditData;
  checks: RunChecks;
  problems: readonly ProblemRow[];
  runId: string;
}

/** Region and level of each report group (from the agency CSV). */
async function regionsOf(
  conn: DuckDBConnection,
  reportDocuments: string,
): Promise<Map<string, [string | null, string | null]>> {
  const rows = await queryRows(
    conn,
    `SELECT g.group_id, r.region, r.level FROM ${reportDocuments} g JOIN reports r USING (report_id) WHERE g.is_representative`,
  );
  return new Map(rows.map((r) => [String(r.group_id), [r.region as string | null, r.level as string | null]]));
}

/** Writes the workbook beside its final name; `commit` puts it in place. */
export async function writeWorkbook(
  conn: DuckDBConnection,
  path: string,
  input: WorkbookInput,
  reportDocuments: string,
): Promise<FileSink> {
  const { data, checks } = input;
  const region = await regionsOf(conn, reportDocuments);
  const file = new FileSink(path);
  try {
    const wb = new XlsxWriter(file, { creator: 'gov-open-audit', title: `审计结果 · 运行 ${input.runId}` });
    const findingRow = (s: ShownFinding): XlsxCell[] => {
      const f = s.finding;
      const g = data.groupById.get(s.group_id);
      const [reg, lvl] = region.get(s.group_id) ?? [null, null];
      return [
        severityZh(f.severity),
        f.rule_id,
        data.rules.get(f.rule_id)?.title_zh ?? '',
        g?.agency ?? '（机构不明）',
        g?.year ?? null,
        reg,
        lvl,
        f.table_id ? cellLabel(f.table_id, f.row_key, f.col_key, g?.template ?? null) : '',
        f.message,
        f.expected,
        f.actual,
        link(s.group_id, s.label),
        s.members.some((m) => m.first_seen_run === input.runId) ? '是' : '',
        f.first_seen_run,
        f.fingerprint,
        f.review_decision === 'dismissed' ? '排除' : f.review_decision === 'confirmed' ? '确认' : '',
        f.review_note,
        s.review?.reviewer ?? null,
        s.review?.date ?? null,
      ];
    };
    wb.addSheet(WORKBOOK_SHEETS.findings, rowsOf(data.findings, findingRow));
    wb.addSheet(
      WORKBOOK_SHEETS.reports,
      rowsOf(data.groups, (g) => {
        const active = g.findings.filter((f) => !f.dismissed);
        const n = (sev: string) => active.filter((f) => f.finding.severity === sev).length;
        const [reg, lvl] = region.get(g.id) ?? [null, null];
        return [
          g.agency ?? '（机构不明）',
          g.year,
          reg,
          lvl,
          templateZh(g.template),
          statusZh(g.status),
          n('error'),
          n('warning'),
          n('info'),
          g.nDocs,
          link(g.id),
        ];
      }),
    );
    wb.addSheet(
      WORKBOOK_SHEETS.problems,
      input.problems.map((p) => [p.source, statusZh(p.status), reasonZh(p.error), link(p.group)]),
    );
    wb.addSheet(
      WORKBOOK_SHEETS.checks,
      checks.rules.map((r) => [
        r.rule_id,
        r.title_zh,
        severityZh(r.severity),
        r.reports_checked,
        r.reports_passed,
        r.reports_failed,
        r.reports_not_assessable,
        r.findings,
      ]),
    );
    wb.close();
  } catch (e) {
    file.abort();
    throw e;
  }
  return file;
}
