-- id: T3.GROUP_SUBTOTAL
-- severity: error
-- title_zh: 印出的小计等于其各分项之和
-- title_en: A printed subtotal of （三）（四）（五）（六） equals the sum of its items
-- Subtotal rows are loaded as denied_subtotal, unable_subtotal, rejected_subtotal, other_subtotal
-- when a report prints them; every item of the group must be there (sum_cells in _prelude.sql).
WITH subtotal_details AS (
  SELECT f.sum_id, f.report_id, f.sum_row, f.sum_col, f.expected, f.actual, f.blank_involved,
         any_value(c.row_label) FILTER (WHERE m.role = 'total') AS row_label,
         any_value(c.col_label) AS col_label,
         string_agg(c.row_label || fmt_num(c.value), ' + ' ORDER BY c.row_ord) FILTER (WHERE m.role = 'part' AND c.value <> 0) AS terms,
         count(*) FILTER (WHERE m.role = 'part' AND c.value = 0) AS n_zero,
         list(operand(c.table_id, c.row_key, c.col_key, c.value, c.raw, c.kind) ORDER BY c.row_ord) FILTER (WHERE m.role = 'part') AS operand_list,
         list(cell_ref(c.table_id, c.row_key, c.col_key) ORDER BY c.row_ord) AS cell_list
  FROM failing_sums f
  JOIN sum_cells m USING (sum_id)
  JOIN rule_cells c ON c.report_id = m.report_id AND c.table_id = m.table_id AND c.row_key = m.row_key AND c.col_key = m.col_key
  WHERE f.rule_id = 'T3.GROUP_SUBTOTAL'
  GROUP BY ALL
)
SELECT report_id,
       NULL AS related_report_id,
       'T3' AS table_id,
       sum_row AS row_key,
       sum_col AS col_key,
       expected,
       actual,
       format('{}（{}）应为 {} = {}，报告为 {}{}',
              row_label, col_label, sum_terms(terms, n_zero), fmt_num(expected), fmt_num(actual), blank_note(blank_involved)) AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM subtotal_details
