/**
 * The data dictionary: a comment on every table, view and column of the warehouse, in Chinese and
 * English (meaning, unit, what NULL and a blank mean), written into the database with COMMENT ON
 * (`duckdb_tables()`, `duckdb_views()`, `duckdb_columns()` show them) and turned into
 * docs/codebook.md by `npm run codebook` (pipeline/warehouse/codebook.ts), so the two never drift.
 * A column the dictionary does not describe is left without a comment, and a test fails on it.
 *
 * Views lose their comments when they are replaced (DuckDB), so they are commented again every
 * time views.sql runs (`applyComments`, which writes only the comments that differ, in one transaction).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ALL, BENCHMARK_QUANTILES, METRICS, NO_LEVEL, NO_REGION } from '../../domain/index.js';
import { sqlIdent, sqlString } from '../common/index.js';
import { inTransaction } from './transaction.js';

/** Bumped when a table, view or column is added, removed or changes meaning (the Parquet _README names it). */
export const SCHEMA_VERSION = 10;

interface Entry {
  /** What one row is, in Chinese and English. */
  readonly comment: string;
  /** Columns this relation describes its own way (others take COMMON's wording). */
  readonly columns?: Readonly<Record<string, string>>;
}

const BLANK = '空白格计 0 — a blank cell counts as 0 (cells.kind tells it apart)';
const COUNT = (zh: string, en: string) =>
  `${zh}（件）— ${en} (count). ${BLANK}; NULL: the table or cell is absent, or printed text`;

/** Columns that mean the same wherever they appear. */
const COMMON: Readonly<Record<string, string>> = {
  report_id: '文件编号：r + sha256 前 16 位十六进制 — Document id: "r" + the first 16 hex digits of its sha256',
  agency: '机构名称（报告标题所写）— Agency as the report title names it. NULL: not recognised',
  agency_norm:
    '规范化的机构名称，用于跨年度和别名匹配 — Normalised agency name, used to match years and aliases. NULL: not recognised',
  year: '统计年度（报告所统计的年份，不是发布日期）— Statistics year the report covers (not its publication date). NULL: not recognised',
  template: '模板版本：2019 或 2021 — Format version of the tables: 2019 or 2021. NULL: not recognised',
  status: '识别状态：ok 完整 · partial 部分识别 · failed 失败 — Recognition status: ok · partial · failed',
  region:
    '地区（来自 --agencies 文件）— Region from the agency CSV (--agencies). NULL: agency not listed, or listed without a region',
  level:
    '级别（来自 --agencies 文件）— Level from the agency CSV (--agencies). NULL: agency not listed, or listed without a level',
  is_primary:
    '是否为该机构该年度最先看到的版本（跨报告规则所用）— This report is the agency-year version first seen (the one cross-report rules use); WHERE is_primary gives one row per agency and year',
  versions_in_year: '该机构该年度数字不同的报告数 — Reports with different numbers this agency published for this year',
  n_sources: '同一报告（机构、年度、数字相同）的文件数 — Documents of this report (same agency, year and numbers)',
  group_id:
    "所属报告的代表文件编号（最先看到的文件）— report_id of the report's representative document (its document first seen)",
  row_key: '模板行的规范键（见 template_keys）— Canonical row key of the template (see template_keys)',
  col_key: '模板列的规范键（见 template_keys）— Canonical column key of the template (see template_keys)',
  table_id: '统计表：T2 主动公开 · T3 依申请公开 · T4 行政复议/行政诉讼 — Statistics table: T2, T3 or T4',
  rule_id: '规则编号（见 rules）— Rule id (see rules)',
  severity: '严重程度：error 错误 · warning 警告 · info 提示 — Severity: error · warning · info',
  fingerprint: '发现的指纹（跨运行稳定；reviews.csv 用它）— Finding id, stable across runs (used by reviews.csv)',
  run_id: '运行编号 — Run id (UTC start time + random suffix)',
  sha256: "文件字节的 SHA-256（十六进制）— SHA-256 of the document's bytes (hex)",
  source: '文件路径（--input 下）或网址，首次发现处 — Path under --input, or URL, where the document was first found',
  size_bytes: '文件大小（字节）— Size in bytes',
  message: "中文说明，含模板标签和算式 — The finding in Chinese, with the template's labels and the arithmetic",
  first_seen_run: '首次出现的运行 — Run in which it was first seen',
  last_seen_run: '最近一次出现的运行 — Latest run in which it was seen',
};

/** Comments of the T3/T4/T2 value columns and report_metrics' totals. */
const T3_COLUMNS: Record<string, string> = {
  row_label: '行名（模板用语）— Row label as the template prints it; the row key when the template has none',
  row_order:
    '行在模板中的次序；报告自印的小计行为 NULL — Order of the row in the template; NULL for subtotal rows a report prints itself',
  natural_person: COUNT('自然人', 'Applicants: natural persons'),
  commercial: COUNT('法人或其他组织：商业企业', 'Applicants: commercial enterprises'),
  research: COUNT('法人或其他组织：科研机构', 'Applicants: research institutions'),
  social_org: COUNT('法人或其他组织：社会公益组织', 'Applicants: social welfare organisations'),
  legal_service: COUNT('法人或其他组织：法律服务机构', 'Applicants: legal service organisations'),
  other_org: COUNT('法人或其他组织：其他', 'Applicants: other organisations'),
  total: COUNT('总计', 'Total of the row'),
};

const RATE = (zh: string, en: string) =>
  `${zh}（比率 0–1）— ${en} (ratio 0–1). NULL when the denominator is 0 or missing`;
const METRIC = (zh: string, en: string) =>
  `${zh}（件，T3 总计列）— ${en} (count, T3 total column). ${BLANK}; NULL: row absent`;
/** report_metrics' rate columns, from the metric dictionary (domain/metrics.ts). */
const METRIC_RATES = Object.fromEntries(
  METRICS.map((m) => [m.key, RATE(`${m.name_zh} = ${m.formula}`, `${m.name_en} (see metrics)`)]),
);
/** benchmarks' percentile columns. */
const BENCHMARK_COLUMNS = Object.fromEntries(
  METRICS.flatMap((m) =>
    BENCHMARK_QUANTILES.map(([name, q]) => [
      `${m.key}_${name}`,
      `${m.name_zh}的第 ${q * 100} 百分位数（quantile_cont，不计 NULL）— ${name.toUpperCase()} of ${m.key} (quantile_cont over the reports where it is not NULL). NULL: no such report`,
    ]),
  ),
);
const T4_METRIC = (zh: string, en: string) => `${zh}（件）— ${en} (count). ${BLANK}; NULL: T4 absent`;

/** The T3 and T4 totals of report_metrics and report_cell_totals. */
const CELL_TOTALS: Record<string, string> = {
  requests_received: METRIC('本年新收政府信息公开申请数量', 'Requests received this year'),
  carried_over: METRIC('上年结转政府信息公开申请数量', 'Requests carried over from last year'),
  total_processed: METRIC('（七）总计：本年办理结果合计', 'Requests answered this year'),
  carried_forward: METRIC('结转下年度继续办理', 'Requests carried forward to next year'),
  granted: METRIC('（一）予以公开', 'Granted'),
  partial: METRIC('（二）部分公开', 'Partly granted'),
  denied: METRIC('（三）不予公开（各项之和）', 'Denied (sum of the items)'),
  unable: METRIC('（四）无法提供（各项之和）', 'Unable to provide (sum of the items)'),
  rejected: METRIC('（五）不予处理（各项之和）', 'Not processed (sum of the items)'),
  other_processing: METRIC('（六）其他处理（各项之和）', 'Other processing (sum of the items)'),
  requests_natural_person:
    '本年新收申请中自然人的件数 — Requests received from natural persons (count). 空白计 0; NULL: row absent',
  review_total: T4_METRIC('行政复议总计', 'Administrative reviews, total'),
  review_corrected: T4_METRIC('行政复议结果纠正', 'Administrative reviews corrected'),
  review_pending: T4_METRIC('行政复议尚未审结', 'Administrative reviews pending'),
  litigation_total: T4_METRIC('行政诉讼总计（直接起诉与复议后起诉）', 'Litigation, total (direct and after review)'),
  litigation_corrected: T4_METRIC('行政诉讼结果纠正', 'Litigation corrected'),
  litigation_pending: T4_METRIC('行政诉讼尚未审结', 'Litigation pending'),
  totals_from_parts:
    "T3 某行总计留空（或未印）而各申请人列有数，其合计按各列之和计 — A T3 row's 总计 is blank or not printed while its applicant columns print numbers: its count is their sum",
};

export const DICTIONARY: Readonly<Record<string, Entry>> = {
  reports: {
    comment:
      '每个不同的文件一行（相同字节只算一次）— One row per distinct document (the same bytes twice are one document)',
    columns: {
      format: '文件格式：docx · html · txt — Document format: docx · html · txt. NULL: not recognised',
      error: '阶段：原因（部分识别或失败时）— "stage: reason" when partial or failed; NULL when ok',
      title: '读取机构和年度的标题行 — The title line the agency and year were read from. NULL: none found',
      title_year: '标题中的年份 — Year named in the title. NULL: none',
      period_year: '统计期限句中的年份 — Year named in the statistics-period sentence (统计期限). NULL: none',
      tables_found: '识别出的表，如 T2,T3,T4 — Tables recognised, e.g. T2,T3,T4. NULL: the document could not be read',
      warnings:
        '读取和识别的警告（JSON 数组 {stage,type,message}）— Warnings of reading and recognition (JSON array of {stage,type,message})',
      extractor_version: '读取程序版本 — Version of the extractor that read it',
      loaded_run: '载入它的运行 — Run that loaded it',
      loaded_at: '载入时间（UTC）— When it was loaded (UTC)',
      filed_year: '路径或网址中的年份 — Year the document is filed under (its path or URL). NULL: none named',
    },
  },
  cells: {
    comment: 'T2、T3、T4 的每个数字一行 — One row per number of T2, T3 and T4',
    columns: {
      value: '数值（金额以万元计；空白为 0；文字为 NULL）— Value (money in 万元; 0 for a blank; NULL for text)',
      raw: '报告印出的原文 — As printed. NULL: blank',
      kind: '类型：number 数字 · blank 空白 · text 文字 · derived 未印出、由分项合计 — number · blank · text · derived (not printed, summed from its parts)',
      grid_table:
        '出处：文件中第几张表（从 0 起）— Provenance: top-level table index in the document (from 0). NULL: derived',
      grid_row: '出处：展开后的行号 — Provenance: row in the expanded grid. NULL: derived',
      grid_col: '出处：展开后的列号 — Provenance: column in the expanded grid. NULL: derived',
      unit: "单元格或表头印出的非模板单位（如 元，已换算为万元）— Unit printed when not the template's (e.g. 元, converted to 万元). NULL: the template's",
      page: '出处：PDF 中该数字所在的页码（从 1 起）— Provenance: the PDF page the number is printed on (from 1). NULL: not a PDF, or derived',
    },
  },
  documents: {
    comment:
      '文件台账：见过的每个路径或网址及其字节 — The document ledger: every path or URL seen, with the bytes it held',
    columns: {
      first_seen: '首次见到的时间（UTC）— First seen (UTC)',
      last_seen: '最近见到的时间（UTC）— Last seen (UTC)',
      status: '这些字节产生的报告的状态 — Status of the report these bytes produced',
      mtime_ms:
        "上次读取时文件的修改时间（1970 年起毫秒）— The file's modification time when last hashed (ms since 1970). NULL: crawled",
      hashed_at_ms: '上次读取并计算哈希的时间（毫秒）— When its bytes were last read and hashed (ms since 1970)',
      error:
        "未能读取的原因（阶段: 原因），如无法读取的文件或文件夹、未跟随的链接；此时 sha256 为空串。NULL：已读取 — Why the path was not read (`stage: reason`: an unreadable file or folder, a link not followed, a FIFO), its sha256 then ''. NULL: read",
    },
  },
  runs: {
    comment: '每次运行一行 — One row per run',
    columns: {
      started_at: '开始时间（UTC）— Start (UTC)',
      ended_at: '结束时间（UTC）— End (UTC). NULL: the run did not complete',
      input: '输入（文件夹、抓取或合并）— Input folder, crawl or merge',
      docs_seen: '本次见到的文件数 — Documents seen',
      docs_new: '新文件数 — Documents new',
      docs_unchanged: '未变化的文件数 — Documents unchanged (not read again)',
      docs_reprocessed: '重新识别的文件数 — Documents read again (newer extractor, --force)',
      docs_failed: '失败的文件数 — Documents failed',
      docs_partial: '部分识别的文件数 — Documents partly recognised',
      cells_loaded: '载入的单元格数 — Cells loaded',
      anomalies: '发现数 — Findings',
      exit_code: '退出码 — Exit code',
      extractor_version: '读取程序版本 — Extractor version',
      rules_version: '规则版本 — Rules version',
      host: '主机名 — Host name',
      inputs_hash:
        '规则、视图、机构表、审核记录和输出路径的指纹 — Fingerprint of the rule files, views, agency CSV, reviews and output paths',
    },
  },
  rules: {
    comment: '规则目录（sql/rules/*.sql 的文件头）— The catalogue of rules (headers of sql/rules/*.sql)',
    columns: {
      title_zh: '规则说明（中文）— Title in Chinese',
      title_en: '规则说明（英文）— Title in English',
      file: '规则文件 — Rule file under sql/rules/',
    },
  },
  template_keys: {
    comment: '规范键及其模板标签（domain/template.ts）— Canonical keys with their template labels (domain/template.ts)',
    columns: {
      template: '模板版本：2019 或 2021 — Format version: 2019 or 2021',
      row_label: '行名（模板用语）— Row label',
      col_label: '列名（模板用语）— Column label',
      row_order: '行的次序 — Order of the row',
      col_order: '列的次序 — Order of the column',
    },
  },
  anomalies: {
    comment: '最近一次运行的发现，每条一行 — One row per finding of the latest run',
    columns: {
      related_report_id:
        '对照的另一份报告（跨年度、跨机构规则）— The other report compared (cross-year, cross-agency rules). NULL: none',
      table_id: '发现所在的表 — Table of the finding. NULL: about the whole report',
      row_key: '发现所在的行 — Row of the finding. NULL: a whole table',
      col_key: '发现所在的列 — Column of the finding. NULL: a whole row or table',
      expected: '应为的值（金额以万元计）— Expected value (money in 万元). NULL: the rule computes none',
      actual: '报告的值 — Value reported. NULL: the rule compares none',
      operands:
        '参与计算的单元格（JSON）；NARR 规则为含句子的对象 — The cells the arithmetic used (JSON); NARR rules: an object with the sentence',
      cells: '涉及的所有单元格（JSON 数组）— Every cell involved (JSON array of {table_id,row_key,col_key})',
      blank_involved: '计算中有空白格（按 0 计）— A blank cell (counted as 0) took part',
      review_decision:
        '审核结论：confirmed 确认 · dismissed 排除 — Review decision from reviews.csv. NULL: not reviewed',
      review_note: "审核说明 — Reviewer's note. NULL: none",
    },
  },
  claims: {
    comment: '正文对表中数字的陈述，每条一行 — One row per statement of the prose about a table quantity',
    columns: {
      quantity: '所说的量，如 t3.granted、parts — The quantity spoken of (e.g. t3.new_received, t3.granted, parts)',
      value: '所说的数 — The number stated. NULL: only a percentage',
      percent: '所说的百分比 — The percentage stated. NULL: none',
      base: "百分比的基数（量的键或原文），parts 为各分项 — A percentage's base (a quantity key or the words); for parts: the parts, e.g. 970+662+343",
      sentence: '原句 — The sentence',
      offset: '句子在正文中的字符位置 — Character offset of the sentence in the prose',
    },
  },
  fetches: {
    comment: "抓取台账：每次 HTTP 请求（或拒绝）一行 — The crawler's ledger: one row per HTTP fetch or refusal",
    columns: {
      url: '网址 — URL',
      agency: '来源表中的机构 — Agency of the sources CSV',
      kind: '类型：listing 列表页 · report 报告 · robots — listing · report · robots',
      fetched_at: '时间（UTC）— When (UTC)',
      http_status: 'HTTP 状态码 — HTTP status. NULL: no response (timeout, refused, reset)',
      outcome: '结果：stored · not_modified · refused · error · skipped — Outcome',
      reason: '拒绝或失败的原因 — Why refused or failed. NULL: stored',
      etag: 'ETag 响应头 — ETag header. NULL: none',
      last_modified: 'Last-Modified 响应头 — Last-Modified header. NULL: none',
      sha256: '保存于 data/raw/<sha256> 的内容 — Content stored at data/raw/<sha256>. NULL: nothing stored',
      size_bytes: '字节数 — Bytes',
      attempts: '尝试次数 — Attempts',
      duration_ms: '耗时（毫秒）— Duration (ms)',
    },
  },
  agencies: {
    comment:
      '机构层级（--agencies 文件，每次运行替换；未给出时为空）— The agency hierarchy of --agencies, replaced by every run (empty without one)',
    columns: {
      agency: '机构名称（文件所写）— Agency as the CSV writes it',
      agency_norm: '规范化名称，与 reports.agency_norm 匹配 — Normalised name, matched against reports.agency_norm',
      parent: '上级机构（文件所写）— Parent agency as written. NULL: at the top',
      parent_norm: "上级机构的规范化名称 — The parent's normalised name. NULL: at the top",
      region: '地区 — Region. NULL: blank in the CSV',
      region_code:
        '地区代码（如行政区划代码）— Region code (e.g. the administrative division code). NULL: no region_code column, or blank',
      level: '级别 — Level. NULL: blank in the CSV',
      aliases: '曾用名（文件所写）— Former names as written (empty list: none)',
      aliases_norm: '曾用名的规范化名称 — Former names normalised',
      line: '文件中的行号 — Line of the row in the CSV',
    },
  },
  warehouse_meta: {
    comment: '生成视图所依据的版本（内部用）— What made the views (internal): they are replaced only when it changes',
    columns: {
      schema_version: '数据结构版本 — Schema version (docs/codebook.md)',
      views_hash: 'views.sql、schema.sql 和数据字典的指纹 — Fingerprint of views.sql, schema.sql and the dictionary',
    },
  },
  rule_results: {
    comment:
      '每次运行每条规则一行：检查了多少份报告，通过、发现问题、无法判断各多少 — One row per run and rule: reports checked, passed, failed and not assessable',
    columns: {
      reports_checked:
        '检查的报告数（未失败的报告，按报告计）— Reports checked (reports not failed, one per report group)',
      reports_passed: '通过的报告数 — Reports passed: checked, assessable, no finding',
      reports_failed:
        '有发现的报告数（含已排除的）— Reports with at least one finding of the rule (dismissed ones included)',
      reports_not_assessable:
        '无法判断的报告数（缺所需的表、表中有文字、无上年报告、无正文陈述、不在机构表中）— Reports the rule could not assess (a table it needs absent or holding text, no previous year, no prose claim, not in the hierarchy)',
      findings:
        '发现数（按报告计：同一报告几个文件的同一发现算一次；含已排除的）— Findings of the rule, once per report (the same finding in several documents of one report counts once; dismissed ones included)',
    },
  },
  resolved_findings: {
    comment: '上一次运行有、这一次运行没有的发现 — Findings of the previous run gone from this run',
    columns: {
      table_id: '发现所在的表 — Table of the finding. NULL: about the whole report',
      row_key: '发现所在的行 — Row. NULL: a whole table',
      col_key: '发现所在的列 — Column. NULL: a whole row or table',
      last_seen_run: '最后出现的运行 — Last run it was seen in',
      resolved_run: '发现消失的运行 — Run in which it was gone',
    },
  },
  report_documents: {
    comment:
      '每个文件一行，附其所属报告（同一机构、年度、数字相同的文件为一份报告）— One row per document with the report it belongs to (same agency, year and numbers)',
    columns: {
      is_representative: "是否为所属报告的代表文件 — This document is its report's representative",
      cells_signature: '印出数字的摘要（不计顺序）— Order-free digest of the printed numbers. NULL: no cells',
    },
  },
  t3: {
    comment:
      'T3 收到和处理政府信息公开申请情况：每份报告每行一行（只含代表文件）— T3 requests received and processed: one row per report and T3 row (representatives only)',
    columns: T3_COLUMNS,
  },
  t4: {
    comment:
      'T4 行政复议、行政诉讼：每份报告每个板块一行 — T4 administrative review and litigation: one row per report and block',
    columns: {
      block: '板块：review 行政复议 · litigation_direct 未经复议直接起诉 · litigation_after_review 复议后起诉 — Block',
      upheld: COUNT('结果维持', 'Upheld'),
      corrected: COUNT('结果纠正', 'Corrected'),
      other: COUNT('其他结果', 'Other result'),
      pending: COUNT('尚未审结', 'Pending'),
      total: COUNT('总计', 'Total of the block'),
    },
  },
  t2: {
    comment:
      'T2 主动公开政府信息情况：每份报告每行一行；该版本没有的列为 NULL — T2 proactive disclosure: one row per report and T2 row; a column the version lacks is NULL',
    columns: {
      issued: COUNT('本年制发件数（2021 版）', 'Issued this year (2021)'),
      repealed: COUNT('本年废止件数（2021 版）', 'Repealed this year (2021)'),
      in_force: COUNT('现行有效件数（2021 版）', 'In force (2021)'),
      decisions: COUNT('本年处理决定数量', 'Decisions this year'),
      amount:
        '金额（万元）：2021 版收费金额，2019 版采购总金额 — Amount in 万元 (2021 fees, 2019 procurement). 空白计 0 — a blank counts as 0; NULL: absent or text',
      made: COUNT('本年新制作数量（2019 版）', 'Made this year (2019)'),
      published: COUNT('本年新公开数量（2019 版）', 'Published this year (2019)'),
      total_published: COUNT('对外公开总数量（2019 版）', 'Total published (2019)'),
      prev_items: COUNT('上一年项目数量（2019 版）', 'Items of the previous year (2019)'),
      change: '本年增/减（2019 版，可为负）— Change this year (2019; may be negative). 空白计 0; NULL: absent or text',
      projects: COUNT('采购项目数量（2019 版）', 'Procurement projects (2019)'),
    },
  },
  report_metrics: {
    comment: '每份报告一行：T3、T4 的合计和比率 — One row per report: totals and rates of T3 and T4',
    columns: {
      ...CELL_TOTALS,
      ...METRIC_RATES,
      open_errors:
        "本报告未被审核排除的 error 级发现数 — The report's error findings not dismissed by a review (WHERE open_errors = 0 leaves inconsistent reports out)",
    },
  },
  report_cell_totals: {
    comment:
      "每份有 T3 或 T4 单元格的报告一行：report_metrics 的合计（不论是否组内代表文件）— One row per report with T3 or T4 cells: the totals of report_metrics (every report, not only each group's representative)",
    columns: CELL_TOTALS,
  },
  metrics: {
    comment:
      '指标字典：report_metrics 的每个比率一行（domain/metrics.ts）— The metric dictionary: one row per rate of report_metrics (domain/metrics.ts)',
    columns: {
      key: '指标键（report_metrics 的列名）— Metric key (the column of report_metrics)',
      name_zh: '中文名称 — Name in Chinese',
      name_en: '英文名称 — Name in English',
      formula: "计算公式（report_metrics 的列名）— Formula, in report_metrics' column names",
      denominator_rule: '分母及其为 0 时的处理 — The denominator, and what the metric is when it is 0',
      unit: '单位 — Unit',
      version: '定义版本（定义改变时加一）— Version of the definition (bumped when it changes)',
    },
  },
  benchmarks: {
    comment: `基准：每个年度、地区、级别一行（每机构每年一份报告）：报告数、各指标的 P25/P50/P75、有未排除错误的报告比例；${NO_REGION}/${NO_LEVEL}：机构表未给出；${ALL}：各地区或各级别合计 — Benchmarks: one row per year, region and level (one report per agency and year): reports, P25/P50/P75 of every metric, share of reports with an open error; ${NO_REGION}/${NO_LEVEL}: not given by the agency CSV; ${ALL}: every region or level`,
    columns: {
      year: '统计年度 — Statistics year',
      region: `地区；${NO_REGION}：机构表未给出；${ALL}：所有地区 — Region; ${NO_REGION}: none given; ${ALL}: every region`,
      level: `级别；${NO_LEVEL}：机构表未给出；${ALL}：所有级别 — Level; ${NO_LEVEL}: none given; ${ALL}: every level`,
      reports: '报告数（每机构每年一份：is_primary）— Reports (one per agency and year: is_primary)',
      ...BENCHMARK_COLUMNS,
      error_share:
        '有未被排除的 error 级发现的报告比例（0–1）— Share of the reports with an error finding not dismissed (0–1)',
    },
  },
  findings: {
    comment: "发现，附报告的机构、年度和所属报告 — Findings with their report's agency, year and group",
    columns: {
      related_report_id: '对照的另一份报告 — The other report compared. NULL: none',
      table_id: '发现所在的表 — Table of the finding. NULL: about the whole report',
      row_key: '发现所在的行 — Row. NULL: a whole table',
      col_key: '发现所在的列 — Column. NULL: a whole row or table',
      expected: '应为的值（金额以万元计）— Expected value (money in 万元). NULL: none computed',
      actual: '报告的值 — Value reported. NULL: none compared',
      operands: '参与计算的单元格（JSON）— The cells the arithmetic used (JSON)',
      cells: '涉及的所有单元格（JSON 数组）— Every cell involved (JSON array)',
      blank_involved: '计算中有空白格（按 0 计）— A blank cell (counted as 0) took part',
      review_decision: '审核结论：confirmed · dismissed — Review decision. NULL: not reviewed',
      review_note: "审核说明 — Reviewer's note",
      related_year: '对照报告的年度 — Year of the report compared. NULL: none',
      related_group_id: '对照报告的代表文件 — Representative of the report compared. NULL: none',
      counted: '是否计入统计（排除的发现为 false）— Counted (false when dismissed in reviews.csv)',
    },
  },
  agency_names: {
    comment:
      "机构表中每个名称（机构名称及曾用名，规范化后）所指的机构 — Every name of the agency CSV (an agency's own and its former names, normalised) with the agency it names",
    columns: {
      name_norm:
        '名称（规范化，与 reports.agency_norm 比对）— The name, normalised (matched against reports.agency_norm)',
      agency_norm: '所指机构的规范化名称 — The agency it names, normalised',
      agency: '所指机构（机构表所写）— The agency it names, as the CSV writes it',
      region: '所指机构的地区 — Its region',
      level: '所指机构的级别 — Its level',
      line: '机构表中的行号 — Its line in the CSV',
    },
  },
  agencies_missing: {
    comment:
      '有报告但不在机构表中的机构（未给出 --agencies 时为全部机构）— Agencies with reports but no row in the agency CSV (all of them without --agencies)',
    columns: {
      agency: '机构名称（报告标题所写，取其一）— Agency as a report title names it (one of them)',
      documents: '该机构的文件数（未失败的）— Its documents (not failed)',
      first_year: '最早的统计年度 — First statistics year',
      last_year: '最晚的统计年度 — Last statistics year',
    },
  },
};

/** The comment of a column, or undefined when the dictionary does not describe it. */
export function columnComment(relation: string, column: string): string | undefined {
  const own = DICTIONARY[relation]?.columns?.[column];
  return own ?? COMMON[column];
}

interface Relation {
  name: string;
  kind: 'TABLE' | 'VIEW';
  /** Its comment in the database now. */
  comment: string | null;
  columns: { name: string; comment: string | null }[];
}

/**
 * The warehouse's own tables and views (the main schema of its
 * database; no temp or scratch objects), with their comments.
 */
export async function warehouseRelations(conn: DuckDBConnection): Promise<Relation[]> {
  const reader = await conn.runAndReadAll(`
    WITH relations AS (
      SELECT table_name AS name, 'TABLE' AS kind, comment FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'
      UNION ALL
      SELECT view_name, 'VIEW', comment FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
    )
    SELECT r.name, any_value(r.kind) AS kind, any_value(r.comment) AS comment,
           list(c.column_name ORDER BY c.column_index) AS columns, list(coalesce(c.comment, '') ORDER BY c.column_index) AS comments
    FROM relations r JOIN duckdb_columns() c ON c.database_name = current_database() AND c.schema_name = 'main' AND c.table_name = r.name
    GROUP BY r.name ORDER BY r.name`);
  return reader.getRowObjectsJS().map((r) => {
    const comments = (r.comments as string[]).map(String);
    return {
      name: String(r.name),
      kind: r.kind as 'TABLE' | 'VIEW',
      comment: (r.comment as string | null) ?? null,
      columns: (r.columns as string[]).map((c, i) => ({ name: String(c), comment: comments[i] || null })),
    };
  });
}

/** Writes the dictionary's comments onto the warehouse's tables and views (or the tables, or the views, alone). */
export async function applyComments(conn: DuckDBConnection, only: 'all' | 'tables' | 'views' = 'all'): Promise<void> {
  const statements: string[] = [];
  // only what differs: the tables keep their comments from one run to the next, the views are replaced by every run
  for (const r of await warehouseRelations(conn)) {
    if ((only === 'views' && r.kind !== 'VIEW') || (only === 'tables' && r.kind !== 'TABLE')) continue;
    const entry = DICTIONARY[r.name];
    if (entry && entry.comment !== r.comment)
      statements.push(`COMMENT ON ${r.kind} ${sqlIdent(r.name)} IS ${sqlString(entry.comment)};`);
    for (const c of r.columns) {
      const comment = columnComment(r.name, c.name);
      if (comment && comment !== c.comment)
        statements.push(`COMMENT ON COLUMN ${sqlIdent(r.name)}.${sqlIdent(c.name)} IS ${sqlString(comment)};`);
    }
  }
  if (statements.length === 0) return;
  // one transaction: statement by statement, each comment was a commit of the catalogue, slow on a file
  // (measured: docs/performance.md)
  await inTransaction(conn, statements.join('\n'));
}
