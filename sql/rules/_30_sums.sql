-- The sums of T3 and T4 (see _20_cells.sql for what the `_` files hold).

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

-- The findings of one sum rule (sums.sql), written once for the four: its failing sums, each
-- message naming the total as `what` says ({row}, {col}: the total's row and column labels), its
-- parts as `parts`, and the totals of the table left blank as `blank_where` (N: how many).
CREATE OR REPLACE TEMP MACRO sum_findings(sum_rule, sum_table, what, parts, blank_where) AS TABLE
  SELECT report_id,
         NULL AS related_report_id,
         sum_table AS table_id,
         sum_row AS row_key,
         sum_col AS col_key,
         expected,
         actual,
         sum_message(replace(replace(what, '{row}', total_row_label), '{col}', total_col_label), parts, terms, n_zero, expected, actual,
                     blank_involved, total_blank, blank_totals, blank_parts, blank_where) AS message,
         to_json(operand_list) AS operands,
         to_json(cell_list) AS cells,
         blank_involved
  FROM failing_sum_details
  WHERE rule_id = sum_rule;
