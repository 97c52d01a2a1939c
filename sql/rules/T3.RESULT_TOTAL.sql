-- id: T3.RESULT_TOTAL
-- severity: error
-- title_zh: （七）总计等于各项办理结果之和
-- title_en: Every T3 column: total_processed equals the sum of the results
-- Results: granted + partial + Σdenied_* + Σunable_* + Σrejected_* + （六）(2019: other;
-- 2021: other_no_correction + other_no_fee + other_misc), per the report's version (sum_cells in
-- _prelude.sql). Printed subtotals are not results.
WITH column_details AS (
  SELECT f.sum_id, f.report_id, f.sum_row, f.sum_col, f.expected, f.actual, f.blank_involved,
         any_value(c.col_label) AS col_label,
         string_agg(c.row_label || fmt_num(c.value), ' + ' ORDER BY c.row_ord) FILTER (WHERE m.role = 'part' AND c.value <> 0) AS terms,
         count(*) FILTER (WHERE m.role = 'part' AND c.value = 0) AS n_zero,
         list(operand(c.table_id, c.row_key, c.col_key, c.value, c.raw, c.kind) ORDER BY c.row_ord) FILTER (WHERE m.role = 'part') AS operand_list,
         list(cell_ref(c.table_id, c.row_key, c.col_key) ORDER BY c.row_ord) AS cell_list
  FROM failing_sums f
  JOIN sum_cells m USING (sum_id)
  JOIN rule_cells c ON c.report_id = m.report_id AND c.table_id = m.table_id AND c.row_key = m.row_key AND c.col_key = m.col_key
  WHERE f.rule_id = 'T3.RESULT_TOTAL'
  GROUP BY ALL
)
SELECT report_id,
       NULL AS related_report_id,
       'T3' AS table_id,
       sum_row AS row_key,
       sum_col AS col_key,
       expected,
       actual,
       format('（七）总计（{}）应为 {} = {}，报告为 {}{}',
              col_label, sum_terms(terms, n_zero), fmt_num(expected), fmt_num(actual), blank_note(blank_involved)) AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM column_details
