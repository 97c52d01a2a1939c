-- id: VAL.LAYOUT_SUSPECT
-- severity: warning
-- title_zh: 多处合计不符可由整行或整列错开一格解释，疑为表格错位
-- title_en: Several failing sums of a table are explained by a row or column shifted by one (a reading or layout slip)
-- scope: report
-- doc: many sums of one table fail at once in a pattern a reading slip explains (a row or column shifted): added beside the failing sums, which stay findings of their own
-- wording: none
-- An extra finding beside the table's sum findings (T3.*), which stay: it hides none. Raised
-- only when a shift explains the failures (layout_suspects in _30_sums.sql); a 总计 column
-- left blank is the publisher's blank, not a shift. `cells` lists every cell of a failing sum.
WITH failing_cells AS (
  SELECT DISTINCT m.report_id, c.table_id, c.row_key, c.col_key, c.row_ord, c.col_ord
  FROM failing_sum_cells m
  JOIN rule_cells c ON c.report_id = m.report_id AND c.table_id = m.table_id AND c.row_key = m.row_key AND c.col_key = m.col_key
), cells_by_table AS (
  SELECT report_id, table_id, sorted_by(list({'k': concat_ws('|', lpad(coalesce(row_ord, 9999)::VARCHAR, 4, '0'), row_key, lpad(coalesce(col_ord, 9999)::VARCHAR, 4, '0'), col_key), 'v': cell_ref(table_id, row_key, col_key)})) AS cell_list
  FROM failing_cells
  GROUP BY report_id, table_id
), suspects AS (
  SELECT report_id, table_id, max(checks_failing) AS checks_failing, string_agg(pattern, '；' ORDER BY pattern) AS pattern
  FROM layout_suspects GROUP BY report_id, table_id
)
SELECT s.report_id,
       NULL AS related_report_id,
       s.table_id,
       NULL AS row_key,
       NULL AS col_key,
       NULL AS expected,
       s.checks_failing AS actual,
       format('{}：{}。可能是表格读取或排版错位，也可能是填报错误；各处不符的合计已逐项列出，请对照原文',
              table_zh(s.table_id), s.pattern) AS message,
       NULL AS operands,
       to_json(c.cell_list) AS cells,
       false AS blank_involved
FROM suspects s
LEFT JOIN cells_by_table c USING (report_id, table_id)
