-- id: VAL.LAYOUT_SUSPECT
-- severity: warning
-- title_zh: 一张表多处合计同时不符，疑为表格错位
-- title_en: Many sums of one table fail at once, in a pattern a reading slip explains (shifted row or column)
-- scope: report
-- One finding instead of dozens: the table's sum rules (T3.*, T4.TOTAL) stay silent for it.
-- The thresholds are in layout_suspects (_prelude.sql); `cells` lists every cell of a failing sum.
WITH failing_cells AS (
  SELECT DISTINCT m.report_id, c.table_id, c.row_key, c.col_key, c.row_ord, c.col_ord
  FROM failing_sum_cells m
  JOIN rule_cells c ON c.report_id = m.report_id AND c.table_id = m.table_id AND c.row_key = m.row_key AND c.col_key = m.col_key
), cells_by_table AS (
  SELECT report_id, table_id, sorted_by(list({'k': concat_ws('|', lpad(coalesce(row_ord, 9999)::VARCHAR, 4, '0'), row_key, lpad(coalesce(col_ord, 9999)::VARCHAR, 4, '0'), col_key), 'v': cell_ref(table_id, row_key, col_key)})) AS cell_list
  FROM failing_cells
  GROUP BY report_id, table_id
)
SELECT s.report_id,
       NULL AS related_report_id,
       s.table_id,
       NULL AS row_key,
       NULL AS col_key,
       NULL AS expected,
       s.checks_failing AS actual,
       format('{}多处合计同时不符（{}），更像是表格读取错位（整行或整列移位）或成批填报错误，而非个别数字之误{}；逐项核对从略，请对照原文',
              table_zh(s.table_id), s.pattern,
              CASE WHEN s.reader_warned THEN '，读取时也已提示此表排版异常' ELSE '' END) AS message,
       NULL AS operands,
       to_json(c.cell_list) AS cells,
       false AS blank_involved
FROM layout_suspects s
LEFT JOIN cells_by_table c USING (report_id, table_id)
