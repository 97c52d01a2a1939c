-- id: T3.ROW_TOTAL
-- severity: error
-- title_zh: 每行总计等于各类申请人之和
-- title_en: Every T3 row: total equals the sum of the applicant columns
-- The sum's cells are in sum_cells, its verdict in failing_sums (_prelude.sql): assessable
-- only when all seven cells are printed numbers; a table failing many sums at once is
-- VAL.LAYOUT_SUSPECT's instead.
WITH row_details AS (
  SELECT f.sum_id, f.report_id, f.sum_row, f.sum_col, f.expected, f.actual, f.blank_involved,
         any_value(c.row_label) AS row_label,
         string_agg(c.col_label || fmt_num(c.value), ' + ' ORDER BY c.col_ord) FILTER (WHERE m.role = 'part' AND c.value <> 0) AS terms,
         count(*) FILTER (WHERE m.role = 'part' AND c.value = 0) AS n_zero,
         list(operand(c.table_id, c.row_key, c.col_key, c.value, c.raw, c.kind) ORDER BY c.col_ord) FILTER (WHERE m.role = 'part') AS operand_list,
         list(cell_ref(c.table_id, c.row_key, c.col_key) ORDER BY c.col_ord) AS cell_list
  FROM failing_sums f
  JOIN sum_cells m USING (sum_id)
  JOIN rule_cells c ON c.report_id = m.report_id AND c.table_id = m.table_id AND c.row_key = m.row_key AND c.col_key = m.col_key
  WHERE f.rule_id = 'T3.ROW_TOTAL'
  GROUP BY ALL
)
SELECT report_id,
       NULL AS related_report_id,
       'T3' AS table_id,
       sum_row AS row_key,
       sum_col AS col_key,
       expected,
       actual,
       format('{}的总计应为 {} = {}，报告为 {}{}',
              row_label, sum_terms(terms, n_zero), fmt_num(expected), fmt_num(actual), blank_note(blank_involved)) AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM row_details
