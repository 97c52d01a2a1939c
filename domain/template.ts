/**
 * The national template: canonical keys of T2, T3 and T4 and their printed labels.
 * The one place the keys are defined (docs/templates.md). The extractor, the rules,
 * the report and the tests all import from here; `sql/` reads the same data through
 * the `template_keys` table the warehouse writes from this module.
 */

export type TableId = 'T2' | 'T3' | 'T4';
export type TemplateVersion = '2019' | '2021';
export const TEMPLATE_VERSIONS: readonly TemplateVersion[] = ['2019', '2021'];

export interface KeyDef {
  readonly key: string;
  /** The label as the template prints it (short form, for messages). */
  readonly label: string;
}

export interface RowDef extends KeyDef {
  /** Versions whose template has this row. */
  readonly versions: readonly TemplateVersion[];
  /** For T3 result rows: the group （一）…（七） the row belongs to. */
  readonly group?: string;
  /** For T2 rows: the columns this row has in that version. */
  readonly cols?: readonly string[];
}

const BOTH: readonly TemplateVersion[] = ['2019', '2021'];

// ---------------------------------------------------------------- T3
export const T3_COLUMNS: readonly KeyDef[] = [
  { key: 'natural_person', label: '自然人' },
  { key: 'commercial', label: '商业企业' },
  { key: 'research', label: '科研机构' },
  { key: 'social_org', label: '社会公益组织' },
  { key: 'legal_service', label: '法律服务机构' },
  { key: 'other_org', label: '其他' },
  { key: 'total', label: '总计' },
];

export const T3_ROWS: readonly RowDef[] = [
  { key: 'new_received', label: '一、本年新收政府信息公开申请数量', versions: BOTH },
  { key: 'carried_over', label: '二、上年结转政府信息公开申请数量', versions: BOTH },
  { key: 'granted', label: '（一）予以公开', versions: BOTH, group: 'granted' },
  { key: 'partial', label: '（二）部分公开', versions: BOTH, group: 'partial' },
  { key: 'denied_state_secret', label: '（三）不予公开 1.属于国家秘密', versions: BOTH, group: 'denied' },
  { key: 'denied_prohibited', label: '（三）不予公开 2.其他法律行政法规禁止公开', versions: BOTH, group: 'denied' },
  { key: 'denied_security', label: '（三）不予公开 3.危及“三安全一稳定”', versions: BOTH, group: 'denied' },
  { key: 'denied_third_party', label: '（三）不予公开 4.保护第三方合法权益', versions: BOTH, group: 'denied' },
  { key: 'denied_internal', label: '（三）不予公开 5.属于三类内部事务信息', versions: BOTH, group: 'denied' },
  { key: 'denied_process', label: '（三）不予公开 6.属于四类过程性信息', versions: BOTH, group: 'denied' },
  { key: 'denied_enforcement', label: '（三）不予公开 7.属于行政执法案卷', versions: BOTH, group: 'denied' },
  { key: 'denied_query', label: '（三）不予公开 8.属于行政查询事项', versions: BOTH, group: 'denied' },
  { key: 'unable_not_held', label: '（四）无法提供 1.本机关不掌握相关政府信息', versions: BOTH, group: 'unable' },
  { key: 'unable_must_create', label: '（四）无法提供 2.没有现成信息需要另行制作', versions: BOTH, group: 'unable' },
  { key: 'unable_unclear', label: '（四）无法提供 3.补正后申请内容仍不明确', versions: BOTH, group: 'unable' },
  { key: 'rejected_petition', label: '（五）不予处理 1.信访举报投诉类申请', versions: BOTH, group: 'rejected' },
  { key: 'rejected_repeat', label: '（五）不予处理 2.重复申请', versions: BOTH, group: 'rejected' },
  { key: 'rejected_publication', label: '（五）不予处理 3.要求提供公开出版物', versions: BOTH, group: 'rejected' },
  { key: 'rejected_excessive', label: '（五）不予处理 4.无正当理由大量反复申请', versions: BOTH, group: 'rejected' },
  {
    key: 'rejected_confirm',
    label: '（五）不予处理 5.要求行政机关确认或重新出具已获取信息',
    versions: BOTH,
    group: 'rejected',
  },
  { key: 'other', label: '（六）其他处理', versions: ['2019'], group: 'other' },
  {
    key: 'other_no_correction',
    label: '（六）其他处理 1.申请人无正当理由逾期不补正',
    versions: ['2021'],
    group: 'other',
  },
  {
    key: 'other_no_fee',
    label: '（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用',
    versions: ['2021'],
    group: 'other',
  },
  { key: 'other_misc', label: '（六）其他处理 3.其他', versions: ['2021'], group: 'other' },
  { key: 'total_processed', label: '（七）总计', versions: BOTH },
  { key: 'carried_forward', label: '四、结转下年度继续办理', versions: BOTH },
];

/**
 * Subtotal rows a report may print for a group (（三）不予公开 with its own numbers).
 * Not in the national template; loaded when printed, checked by T3.GROUP_SUBTOTAL.
 */
export const T3_GROUP_SUBTOTALS: readonly (KeyDef & { group: string })[] = [
  { key: 'denied_subtotal', label: '（三）不予公开（小计）', group: 'denied' },
  { key: 'unable_subtotal', label: '（四）无法提供（小计）', group: 'unable' },
  { key: 'rejected_subtotal', label: '（五）不予处理（小计）', group: 'rejected' },
  { key: 'other_subtotal', label: '（六）其他处理（小计）', group: 'other' },
];

// ---------------------------------------------------------------- T4
export const T4_ROWS: readonly RowDef[] = [
  { key: 'review', label: '行政复议', versions: BOTH },
  { key: 'litigation_direct', label: '行政诉讼（未经复议直接起诉）', versions: BOTH },
  { key: 'litigation_after_review', label: '行政诉讼（复议后起诉）', versions: BOTH },
];

export const T4_COLUMNS: readonly KeyDef[] = [
  { key: 'upheld', label: '结果维持' },
  { key: 'corrected', label: '结果纠正' },
  { key: 'other', label: '其他结果' },
  { key: 'pending', label: '尚未审结' },
  { key: 'total', label: '总计' },
];

// ---------------------------------------------------------------- T2
export const T2_COLUMNS: Readonly<Record<TemplateVersion, readonly KeyDef[]>> = {
  '2021': [
    { key: 'issued', label: '本年制发件数' },
    { key: 'repealed', label: '本年废止件数' },
    { key: 'in_force', label: '现行有效件数' },
    { key: 'decisions', label: '本年处理决定数量' },
    { key: 'amount', label: '本年收费金额（万元）' },
  ],
  '2019': [
    { key: 'made', label: '本年新制作数量' },
    { key: 'published', label: '本年新公开数量' },
    { key: 'total_published', label: '对外公开总数量' },
    { key: 'prev_items', label: '上一年项目数量' },
    { key: 'change', label: '本年增/减' },
    { key: 'decisions', label: '处理决定数量' },
    { key: 'projects', label: '采购项目数量' },
    { key: 'amount', label: '采购总金额（万元）' },
  ],
};

export const T2_ROWS: Readonly<Record<TemplateVersion, readonly RowDef[]>> = {
  '2021': [
    { key: 'regulations', label: '规章', versions: ['2021'], cols: ['issued', 'repealed', 'in_force'] },
    { key: 'normative_docs', label: '行政规范性文件', versions: ['2021'], cols: ['issued', 'repealed', 'in_force'] },
    { key: 'licensing', label: '行政许可', versions: ['2021'], cols: ['decisions'] },
    { key: 'punishment', label: '行政处罚', versions: ['2021'], cols: ['decisions'] },
    { key: 'coercion', label: '行政强制', versions: ['2021'], cols: ['decisions'] },
    { key: 'fees', label: '行政事业性收费', versions: ['2021'], cols: ['amount'] },
  ],
  '2019': [
    { key: 'regulations', label: '规章', versions: ['2019'], cols: ['made', 'published', 'total_published'] },
    { key: 'normative_docs', label: '规范性文件', versions: ['2019'], cols: ['made', 'published', 'total_published'] },
    { key: 'licensing', label: '行政许可', versions: ['2019'], cols: ['prev_items', 'change', 'decisions'] },
    {
      key: 'other_services',
      label: '其他对外管理服务事项',
      versions: ['2019'],
      cols: ['prev_items', 'change', 'decisions'],
    },
    { key: 'punishment', label: '行政处罚', versions: ['2019'], cols: ['prev_items', 'change', 'decisions'] },
    { key: 'coercion', label: '行政强制', versions: ['2019'], cols: ['prev_items', 'change', 'decisions'] },
    { key: 'fees', label: '行政事业性收费', versions: ['2019'], cols: ['prev_items', 'change'] },
    { key: 'procurement', label: '政府集中采购', versions: ['2019'], cols: ['projects', 'amount'] },
  ],
};

/** Sub-rows of 其他对外管理服务事项 are stored as `other_services:<label as printed>`. */
export const OTHER_SERVICES_PREFIX = 'other_services:';

/** Columns holding money (万元); every other column is a count. */
export const MONEY_COLUMNS: ReadonlySet<string> = new Set(['amount']);
/** The only count that may be negative: 2019 T2 本年增/减. */
export const SIGNED_COLUMNS: ReadonlySet<string> = new Set(['change']);

/** Every (row, col) the template of `version` wants for `table`. */
export function templateCells(table: TableId, version: TemplateVersion): { row: string; col: string }[] {
  if (table === 'T3') {
    return T3_ROWS.filter((r) => r.versions.includes(version)).flatMap((r) =>
      T3_COLUMNS.map((c) => ({ row: r.key, col: c.key })),
    );
  }
  if (table === 'T4') return T4_ROWS.flatMap((r) => T4_COLUMNS.map((c) => ({ row: r.key, col: c.key })));
  return T2_ROWS[version].flatMap((r) => (r.cols ?? []).map((col) => ({ row: r.key, col })));
}

/** The printed label of a row, for messages. Unknown keys (sub-rows) come back readable. */
export function rowLabel(table: TableId, row: string, version: TemplateVersion = '2021'): string {
  if (row.startsWith(OTHER_SERVICES_PREFIX)) return `其他对外管理服务事项/${row.slice(OTHER_SERVICES_PREFIX.length)}`;
  const pools: readonly KeyDef[][] =
    table === 'T3'
      ? [[...T3_ROWS], [...T3_GROUP_SUBTOTALS]]
      : table === 'T4'
        ? [[...T4_ROWS]]
        : [[...T2_ROWS[version]], [...T2_ROWS[version === '2019' ? '2021' : '2019']]];
  for (const pool of pools) {
    const hit = pool.find((d) => d.key === row);
    if (hit) return hit.label;
  }
  return row;
}

export function colLabel(table: TableId, col: string, version: TemplateVersion = '2021'): string {
  const pool =
    table === 'T3'
      ? T3_COLUMNS
      : table === 'T4'
        ? T4_COLUMNS
        : [...T2_COLUMNS[version], ...T2_COLUMNS[version === '2019' ? '2021' : '2019']];
  return pool.find((d) => d.key === col)?.label ?? col;
}

/** One row per (table, version, row, col) key with its labels: the warehouse's `template_keys`. */
export function allTemplateKeys(): {
  table_id: TableId;
  template: TemplateVersion;
  row_key: string;
  col_key: string;
  row_label: string;
  col_label: string;
  row_order: number;
  col_order: number;
}[] {
  const out: ReturnType<typeof allTemplateKeys> = [];
  for (const version of TEMPLATE_VERSIONS) {
    for (const [ri, r] of T3_ROWS.filter((row) => row.versions.includes(version)).entries()) {
      for (const [ci, c] of T3_COLUMNS.entries()) {
        out.push({
          table_id: 'T3',
          template: version,
          row_key: r.key,
          col_key: c.key,
          row_label: r.label,
          col_label: c.label,
          row_order: ri,
          col_order: ci,
        });
      }
    }
    for (const [ri, r] of T4_ROWS.entries()) {
      for (const [ci, c] of T4_COLUMNS.entries()) {
        out.push({
          table_id: 'T4',
          template: version,
          row_key: r.key,
          col_key: c.key,
          row_label: r.label,
          col_label: c.label,
          row_order: ri,
          col_order: ci,
        });
      }
    }
    for (const [ri, r] of T2_ROWS[version].entries()) {
      for (const col of r.cols ?? []) {
        out.push({
          table_id: 'T2',
          template: version,
          row_key: r.key,
          col_key: col,
          row_label: r.label,
          col_label: colLabel('T2', col, version),
          row_order: ri,
          col_order: T2_COLUMNS[version].findIndex((c) => c.key === col),
        });
      }
    }
  }
  return out;
}
