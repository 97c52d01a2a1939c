-- Shared definitions for the rule queries of sql/rules/ (files starting with `_` run first, in
-- name order, in the rule runner's connection; the macros are in _macros.sql). Nothing here is
-- stored in the warehouse.
-- The shared sets that are costly to compute and small to keep are tables computed once per run
-- (the warehouse does not change while the rules run), kept in `rules_work`: a scratch database
-- file the runner attaches and deletes afterwards (pipeline/rules/work.ts), so DuckDB can page
-- them out. Those as large as the cells themselves (rule_cells, sum_members, canonical_cells) are
-- views: writing them out cost more than each reader's join (every rule filters before it joins).
-- Unqualified names find them (search_path). A table marked `-- scope: report` (each row about one
-- report, from that report's rows alone) is filled a slice of reports at a time on a large
-- warehouse (pipeline/rules/slices.ts), like a report-scoped rule.
-- Also present (created by pipeline/rules/context.ts):
--   rule_keys(table_id, template, axis, key, label, ord, grp, subtotal)  template keys and labels
--                                         ('*' = any version), T3 result groups, subtotal rows
--   agency_hierarchy(agency, agency_norm, parent, parent_norm, region, level, line)  --agencies CSV
--   agency_aliases(alias_norm, agency_norm)  every CSV name and alias → the CSV agency

-- ------------------------------------------------------------------ reports and cells

-- Reports the rules look at (a failed document has no tables; the run summary lists it).
CREATE OR REPLACE TABLE rules_work.rule_reports AS
SELECT report_id, source, sha256, format, agency, agency_norm, year, template, status, error, title, title_year, period_year,
       filed_year, coalesce(tables_found, '') AS tables_found, coalesce(warnings, '[]') AS warnings
FROM reports
WHERE status <> 'failed';

-- Every key of the template as each version present reads it: the version's own label, order,
-- group and subtotal flag, else those shared by every version ('*'). ('' = version unknown.)
CREATE OR REPLACE TEMP TABLE resolved_keys AS
WITH versions AS (
  SELECT DISTINCT coalesce(template, '') AS template FROM rule_reports
), all_keys AS (
  SELECT DISTINCT table_id, axis, key FROM rule_keys
)
SELECT v.template, k.table_id, k.axis, k.key,
       coalesce(own.label, shared.label) AS label, coalesce(own.ord, shared.ord) AS ord,
       coalesce(own.grp, shared.grp) AS grp, coalesce(own.subtotal, shared.subtotal) AS subtotal
FROM versions v CROSS JOIN all_keys k
LEFT JOIN rule_keys own ON own.template = v.template AND own.table_id = k.table_id AND own.axis = k.axis AND own.key = k.key
LEFT JOIN rule_keys shared ON shared.template = '*' AND shared.table_id = k.table_id AND shared.axis = k.axis AND shared.key = k.key;

-- Every cell with its labels and place in the template of its report's version (a view: see above).
CREATE OR REPLACE TEMP VIEW rule_cells AS
SELECT c.report_id, r.template, c.table_id, c.row_key, c.col_key, c.value, c.raw, c.kind, c.unit,
       coalesce(rk.label,
                CASE WHEN c.row_key LIKE 'other_services:%' THEN '其他对外管理服务事项/' || substr(c.row_key, 16) END,
                c.row_key) AS row_label,
       coalesce(ck.label, c.col_key) AS col_label,
       coalesce(rk.ord, 999) AS row_ord,
       coalesce(ck.ord, 999) AS col_ord,
       rk.grp AS grp,
       coalesce(rk.subtotal, false) AS is_subtotal
FROM cells c
JOIN rule_reports r USING (report_id)
LEFT JOIN resolved_keys rk ON rk.template = coalesce(r.template, '') AND rk.table_id = c.table_id AND rk.axis = 'row' AND rk.key = c.row_key
LEFT JOIN resolved_keys ck ON ck.template = coalesce(r.template, '') AND ck.table_id = c.table_id AND ck.axis = 'col' AND ck.key = c.col_key;

-- ------------------------------------------------------------------ the sums of T3 and T4
-- Every sum the template implies, as the cells it adds up: one row per (sum, cell). A sum is
-- named by its rule, report and the cell its finding points at (sum_row, sum_col; sum_row is
-- NULL for T3.BALANCE, which points at a column). role 'part': the cells added up (expected);
-- role 'total': the printed result (actual). n_parts / n_totals: how many the sum needs.
-- A view, not a table: it is read twice (every sum aggregated; the cells of failing sums), and
-- writing its million rows at 2,000 reports cost more than reading it twice.
CREATE OR REPLACE TEMP VIEW sum_members AS
WITH result_rows AS (  -- what （七）总计 adds up, by version: （一）…（六）, printed subtotals excluded
  SELECT template, grp, key AS row_key FROM rule_keys
  WHERE table_id = 'T3' AND axis = 'row' AND grp IS NOT NULL AND NOT subtotal AND template <> '*'
), results_per_version AS (
  SELECT template, count(*) AS n FROM result_rows GROUP BY template
), items_per_group AS (
  SELECT template, grp, count(*) AS n FROM result_rows GROUP BY template, grp
), members AS (
  -- T3.ROW_TOTAL: every T3 row, 总计 against the six applicant columns
  SELECT 'T3.ROW_TOTAL' AS rule_id, report_id, row_key AS sum_row, 'total' AS sum_col,
         CASE WHEN col_key = 'total' THEN 'total' ELSE 'part' END AS role, 6 AS n_parts, 1 AS n_totals,
         c.table_id, c.row_key, c.col_key, c.value, c.kind
  FROM rule_cells c
  WHERE table_id = 'T3' AND col_key IN ('natural_person', 'commercial', 'research', 'social_org', 'legal_service', 'other_org', 'total')
  UNION ALL
  -- T3.RESULT_TOTAL: every T3 column, （七）总计 against the results of the report's version
  SELECT 'T3.RESULT_TOTAL', c.report_id, 'total_processed', c.col_key,
         CASE WHEN c.row_key = 'total_processed' THEN 'total' ELSE 'part' END, v.n, 1,
         c.table_id, c.row_key, c.col_key, c.value, c.kind
  FROM rule_cells c
  JOIN results_per_version v ON v.template = c.template
  LEFT JOIN result_rows rr ON rr.template = c.template AND rr.row_key = c.row_key
  WHERE c.table_id = 'T3' AND (rr.row_key IS NOT NULL OR c.row_key = 'total_processed')
  UNION ALL
  -- T3.BALANCE: every T3 column, 一 + 二 (expected) against 三（七） + 四 (actual): the template
  -- prints this rule itself (第一项加第二项之和，等于第三项加第四项之和)
  SELECT 'T3.BALANCE', report_id, NULL, col_key,
         CASE WHEN row_key IN ('new_received', 'carried_over') THEN 'part' ELSE 'total' END, 2, 2,
         c.table_id, c.row_key, c.col_key, c.value, c.kind
  FROM rule_cells c
  WHERE table_id = 'T3' AND row_key IN ('new_received', 'carried_over', 'total_processed', 'carried_forward')
  UNION ALL
  -- T3.GROUP_SUBTOTAL: a printed subtotal of （三）…（六） against every item of its group
  SELECT 'T3.GROUP_SUBTOTAL', s.report_id, s.row_key, s.col_key, 'total', g.n, 1,
         s.table_id, s.row_key, s.col_key, s.value, s.kind
  FROM rule_cells s JOIN items_per_group g ON g.template = s.template AND g.grp = s.grp
  WHERE s.table_id = 'T3' AND s.is_subtotal
  UNION ALL
  SELECT 'T3.GROUP_SUBTOTAL', s.report_id, s.row_key, s.col_key, 'part', g.n, 1,
         c.table_id, c.row_key, c.col_key, c.value, c.kind
  FROM rule_cells s
  JOIN items_per_group g ON g.template = s.template AND g.grp = s.grp
  JOIN result_rows rr ON rr.template = s.template AND rr.grp = s.grp
  JOIN rule_cells c ON c.report_id = s.report_id AND c.table_id = 'T3' AND c.row_key = rr.row_key AND c.col_key = s.col_key
  WHERE s.table_id = 'T3' AND s.is_subtotal
  UNION ALL
  -- T4.TOTAL: every T4 block (行政复议, 行政诉讼 ×2), 总计 against its four results
  SELECT 'T4.TOTAL', report_id, row_key, 'total',
         CASE WHEN col_key = 'total' THEN 'total' ELSE 'part' END, 4, 1,
         c.table_id, c.row_key, c.col_key, c.value, c.kind
  FROM rule_cells c
  WHERE table_id = 'T4' AND col_key IN ('upheld', 'corrected', 'other', 'pending', 'total')
)
SELECT rule_id, report_id, sum_row, sum_col, role, n_parts, n_totals, table_id, row_key, col_key, value, kind
FROM members;

-- One row per sum: assessable when every cell it needs is there and is a number (a text cell
-- is VAL.NOT_A_NUMBER's, a missing one VAL.MISSING_CELL's); failing when assessable and the
-- printed result differs. A result the extractor computed (kind 'derived', not printed)
-- cannot fail.
-- scope: report
CREATE OR REPLACE TABLE rules_work.sums AS
WITH per_sum AS (
  SELECT rule_id, report_id, sum_row, sum_col,
         any_value(n_parts) AS n_parts_wanted, any_value(n_totals) AS n_totals_wanted,
         count(*) FILTER (WHERE role = 'part') AS n_parts,
         count(*) FILTER (WHERE role = 'total') AS n_totals,
         sum(value) FILTER (WHERE role = 'part') AS expected,
         sum(value) FILTER (WHERE role = 'total') AS actual,
         bool_or(value IS NULL) AS has_text,
         bool_or(kind = 'derived' AND role = 'total') AS derived_result,
         bool_or(kind = 'blank') AS blank_involved,
         bool_or(value <> 0) AS has_data
  FROM sum_members
  GROUP BY rule_id, report_id, sum_row, sum_col
)
SELECT rule_id || '|' || report_id || '|' || coalesce(sum_row, '') || '|' || sum_col AS sum_id, *,
       n_parts = n_parts_wanted AND n_totals = n_totals_wanted AND NOT has_text AS assessable,
       n_parts = n_parts_wanted AND n_totals = n_totals_wanted AND NOT has_text AND NOT derived_result
         AND expected <> actual AS failing
FROM per_sum;

-- The cells of every failing sum, with their sum's id.
-- scope: report
CREATE OR REPLACE TABLE rules_work.failing_sum_cells AS
SELECT s.sum_id, m.*
FROM sums s
JOIN sum_members m ON m.rule_id = s.rule_id AND m.report_id = s.report_id AND m.sum_row IS NOT DISTINCT FROM s.sum_row AND m.sum_col = s.sum_col
WHERE s.failing;

-- ------------------------------------------------------------------ layout suspects
-- A table whose failing sums a reading slip explains: the values are there, one row or column
-- off. Raised as VAL.LAYOUT_SUSPECT beside the sum findings, never instead of them (no finding
-- hides another). Two patterns, each needing at least two failing sums it explains and at least
-- half of the table's failing sums of that kind:
--   T3 总计 column one row off: a row's applicant columns add up (non-zero) to the 总计 printed
--     on the next (or the previous) row, not to its own;
--   T3 column one column off: a column's results add up (non-zero) to the （七）总计 printed in
--     the next (or the previous) column, not its own.
-- A blank 总计 column explains nothing: it is the publisher's blank, and each sum says so.
-- scope: report
CREATE OR REPLACE TABLE rules_work.layout_suspects AS
WITH placed AS (  -- each assessable row total and column total with its place along the table
  SELECT s.report_id, s.rule_id, s.expected, s.actual, s.failing, k.ord
  FROM sums s
  JOIN rule_reports r USING (report_id)
  JOIN resolved_keys k ON k.table_id = 'T3'
   AND ((s.rule_id = 'T3.ROW_TOTAL' AND k.template = coalesce(r.template, '') AND k.axis = 'row' AND k.key = s.sum_row)
     OR (s.rule_id = 'T3.RESULT_TOTAL' AND k.template = '*' AND k.axis = 'col' AND k.key = s.sum_col))
  WHERE s.rule_id IN ('T3.ROW_TOTAL', 'T3.RESULT_TOTAL') AND s.assessable
), neighbours AS (
  SELECT *, lead(actual) OVER w AS next_total, lag(actual) OVER w AS prev_total
  FROM placed WINDOW w AS (PARTITION BY report_id, rule_id ORDER BY ord)
), shifts AS (
  SELECT report_id, rule_id,
         count(*) FILTER (WHERE failing) AS n_failing,
         count(*) FILTER (WHERE failing AND expected <> 0 AND expected = next_total) AS onward,
         count(*) FILTER (WHERE failing AND expected <> 0 AND expected = prev_total) AS back
  FROM neighbours GROUP BY report_id, rule_id
)
SELECT report_id, 'T3' AS table_id, n_failing AS checks_failing,
       CASE WHEN rule_id = 'T3.ROW_TOTAL'
            THEN format('{} 行的各申请人之和正好等于{}一行印出的总计（行合计不符共 {} 行）：总计列像是整体错开了一行',
                        greatest(onward, back), CASE WHEN onward >= back THEN '下' ELSE '上' END, n_failing)
            ELSE format('{} 列的办理结果之和正好等于{}一列印出的（七）总计（（七）总计不符共 {} 列）：有一列像是整体错开了一列',
                        greatest(onward, back), CASE WHEN onward >= back THEN '右' ELSE '左' END, n_failing) END AS pattern
FROM shifts
WHERE greatest(onward, back) >= 2 AND greatest(onward, back) * 2 >= n_failing;

-- The failing sums the sum rules report: every one (a layout suspicion adds a finding, it
-- hides none). total_blank: the printed result is a blank cell; blank_totals: how many sums of
-- the same rule in the report have a blank result (总计列在N行留空); blank_parts: blank parts.
-- scope: report
CREATE OR REPLACE TABLE rules_work.failing_sums AS
WITH blanks AS (
  SELECT sum_id,
         bool_or(role = 'total' AND kind = 'blank') AS total_blank,
         count(*) FILTER (WHERE role = 'part' AND kind = 'blank') AS blank_parts
  FROM failing_sum_cells GROUP BY sum_id
)
SELECT s.*, b.total_blank, b.blank_parts,
       count(*) FILTER (WHERE b.total_blank) OVER (PARTITION BY s.report_id, s.rule_id) AS blank_totals
FROM sums s JOIN blanks b USING (sum_id)
WHERE s.failing;

-- Each failing sum formatted once for the sum rules' messages: its parts in template order with
-- their labels (column labels when the sum runs along a row, row labels when down a column),
-- the zero parts counted, the operands, and every cell involved.
-- scope: report
CREATE OR REPLACE TABLE rules_work.failing_sum_details AS
WITH direction AS (
  SELECT sum_id, count(DISTINCT row_key) = 1 AS along_row FROM failing_sum_cells GROUP BY sum_id
), members AS (
  SELECT f.sum_id, f.rule_id, f.report_id, f.sum_row, f.sum_col, f.expected, f.actual, f.blank_involved,
         f.total_blank, f.blank_parts, f.blank_totals, m.role, c.*,
         CASE WHEN d.along_row THEN c.col_label ELSE c.row_label END AS part_label,
         CASE WHEN d.along_row THEN c.col_ord ELSE c.row_ord END AS part_ord
  FROM failing_sums f
  JOIN direction d USING (sum_id)
  JOIN failing_sum_cells m USING (sum_id)
  JOIN rule_cells c ON c.report_id = m.report_id AND c.table_id = m.table_id AND c.row_key = m.row_key AND c.col_key = m.col_key
)
SELECT sum_id, rule_id, report_id, sum_row, sum_col, expected, actual, blank_involved,
       any_value(total_blank) AS total_blank, any_value(blank_parts) AS blank_parts, any_value(blank_totals) AS blank_totals,
       any_value(row_label) FILTER (WHERE role = 'total') AS total_row_label,
       any_value(col_label) FILTER (WHERE role = 'total') AS total_col_label,
       array_to_string(sorted_by(list({'k': part_ord, 'v': part_label || fmt_num(value)}) FILTER (WHERE role = 'part' AND value <> 0)), ' + ') AS terms,
       count(*) FILTER (WHERE role = 'part' AND value = 0) AS n_zero,
       sorted_by(list({'k': part_ord, 'v': operand(table_id, row_key, col_key, value, raw, kind)}) FILTER (WHERE role = 'part')) AS operand_list,
       sorted_by(list({'k': [part_ord, row_ord], 'v': cell_ref(table_id, row_key, col_key)})) AS cell_list
FROM members
GROUP BY sum_id, rule_id, report_id, sum_row, sum_col, expected, actual, blank_involved;

-- ------------------------------------------------------------------ one report per agency and year

-- The agency a report speaks for: the CSV agency its name (or a former name) is listed as,
-- else its own normalised name.
CREATE OR REPLACE TABLE rules_work.report_agency AS
SELECT r.report_id, coalesce(a.agency_norm, r.agency_norm) AS agency_key
FROM rule_reports r LEFT JOIN agency_aliases a ON a.alias_norm = r.agency_norm;

-- Documents of one agency and year; the representative is the document first seen
-- (earliest documents.first_seen of its bytes, ties broken by report_id). Cross-report rules
-- use representatives only (META.DUPLICATE speaks for the others).
CREATE OR REPLACE TABLE rules_work.report_groups AS
WITH first_seen AS (
  SELECT sha256, min(first_seen) AS first_seen FROM documents GROUP BY sha256
), ranked AS (
  SELECT r.report_id, ra.agency_key, r.agency, r.year, r.template, r.title, r.source, f.first_seen,
         row_number() OVER (PARTITION BY ra.agency_key, r.year ORDER BY f.first_seen NULLS LAST, r.report_id) AS rank
  FROM rule_reports r
  JOIN report_agency ra USING (report_id)
  LEFT JOIN first_seen f ON f.sha256 = r.sha256
  WHERE ra.agency_key IS NOT NULL AND r.year IS NOT NULL
)
SELECT *, rank = 1 AS is_rep,
       first_value(report_id) OVER (PARTITION BY agency_key, year ORDER BY rank) AS rep_id
FROM ranked;

CREATE OR REPLACE TABLE rules_work.reps AS
SELECT report_id, agency_key, agency, year, template, title, source, first_seen FROM report_groups WHERE is_rep;

-- Consecutive years of one agency (representatives).
CREATE OR REPLACE TABLE rules_work.year_pairs AS
SELECT cur.report_id, prev.report_id AS prev_report_id, cur.agency_key, cur.agency, cur.year,
       cur.template, prev.template AS prev_template
FROM reps cur JOIN reps prev ON prev.agency_key = cur.agency_key AND prev.year = cur.year - 1;

-- T3 and T4 as comparable contents across versions: （六） collapsed into one row `other`
-- (2021's three rows summed), printed subtotals left out. A text cell makes the value NULL.
CREATE OR REPLACE TEMP VIEW canonical_cells AS  -- read once, by table_signatures: not written out
WITH wanted AS (
  SELECT report_id, table_id,
         CASE WHEN table_id = 'T3' AND grp = 'other' THEN 'other' ELSE row_key END AS row_key,
         col_key, value
  FROM rule_cells
  WHERE table_id IN ('T3', 'T4') AND NOT is_subtotal
    AND report_id IN (SELECT report_id FROM reps)  -- only cross-report rules use it
)
-- Only the collapsed rows are aggregated (an aggregate over every cell took 256 MB at 10,000 reports).
SELECT * FROM wanted WHERE row_key <> 'other' OR table_id <> 'T3'
UNION ALL
SELECT report_id, table_id, row_key, col_key, CASE WHEN bool_or(value IS NULL) THEN NULL ELSE sum(value) END
FROM wanted WHERE row_key = 'other' AND table_id = 'T3'
GROUP BY ALL;

-- One signature per table, for "identical contents" (XY.COPY, XA.COPY). `independent_nonzero`
-- counts non-zero cells that are not totals (totals repeat their parts: one request granted
-- makes six non-zero T3 cells but only two independent ones).
-- scope: report
CREATE OR REPLACE TABLE rules_work.table_signatures AS
SELECT report_id, table_id,
       -- an order-free digest (the sum of the cells' hashes, as report_documents does): a list of
       -- every cell per table held 250 MB at 10,000 reports
       md5(CAST(sum(CAST(hash(row_key || '/' || col_key || '=' || fmt_num(value)) AS HUGEINT)) AS VARCHAR)) AS signature,
       count(*) AS n_cells,
       count(*) FILTER (WHERE value <> 0 AND col_key <> 'total' AND row_key <> 'total_processed') AS independent_nonzero
FROM canonical_cells
GROUP BY report_id, table_id
HAVING NOT bool_or(value IS NULL);

-- ------------------------------------------------------------------ rates (XA.OUTLIER)
-- The rates XA.OUTLIER compares across a peer group, each as the cells it adds up: part
-- (numerator) and base (denominator).
CREATE OR REPLACE TEMP TABLE rate_defs(rate VARCHAR, rate_zh VARCHAR, table_id VARCHAR, min_base INTEGER);
INSERT INTO rate_defs VALUES ('granted_share', '予以公开和部分公开占办理结果总数的比例', 'T3', 10),
       ('denied_share', '不予公开占办理结果总数的比例', 'T3', 10),
       ('unable_share', '无法提供占办理结果总数的比例', 'T3', 10),
       ('rejected_share', '不予处理占办理结果总数的比例', 'T3', 10),
       ('review_corrected_share', '行政复议结果纠正占已审结复议的比例', 'T4', 5),
       ('litigation_corrected_share', '行政诉讼结果纠正占已审结诉讼的比例', 'T4', 5);

CREATE OR REPLACE TEMP VIEW rate_cells AS
SELECT d.rate, d.rate_zh, d.min_base, c.*,
       CASE d.rate WHEN 'granted_share' THEN c.grp IN ('granted', 'partial')
                   WHEN 'denied_share' THEN c.grp = 'denied'
                   WHEN 'unable_share' THEN c.grp = 'unable'
                   WHEN 'rejected_share' THEN c.grp = 'rejected'
                   WHEN 'review_corrected_share' THEN c.row_key = 'review' AND c.col_key = 'corrected'
                   ELSE c.row_key LIKE 'litigation%' AND c.col_key = 'corrected' END AS in_part,
       CASE WHEN d.table_id = 'T3' THEN c.row_key = 'total_processed'
            WHEN d.rate = 'review_corrected_share' THEN c.row_key = 'review' AND c.col_key IN ('upheld', 'corrected', 'other')
            ELSE c.row_key LIKE 'litigation%' AND c.col_key IN ('upheld', 'corrected', 'other') END AS in_base
FROM rate_defs d
JOIN rule_cells c ON c.table_id = d.table_id AND NOT c.is_subtotal AND (d.table_id = 'T4' OR c.col_key = 'total');

-- Each report's rates, from its own cells (an incremental run keeps those of the reports it
-- does not touch: pipeline/rules/incremental.ts).
-- scope: report
CREATE OR REPLACE TABLE rules_work.report_rates AS
SELECT report_id, rate, any_value(rate_zh) AS rate_zh, any_value(table_id) AS table_id,
       sum(value) FILTER (WHERE in_part) AS part, sum(value) FILTER (WHERE in_base) AS base,
       any_value(min_base) AS min_base, bool_or(value IS NULL) AS has_text
FROM rate_cells
WHERE in_part OR in_base
GROUP BY report_id, rate;
