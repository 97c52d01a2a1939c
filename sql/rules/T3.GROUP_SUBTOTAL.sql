-- id: T3.GROUP_SUBTOTAL
-- severity: error
-- title_zh: 印出的小计等于其各分项之和
-- title_en: A printed subtotal of （三）（四）（五）（六） equals the sum of its items
-- Subtotal rows are loaded as denied_subtotal, unable_subtotal, rejected_subtotal, other_subtotal
-- when a report prints them (t3_subtotal_checks in _prelude.sql).
SELECT report_id,
       NULL AS related_report_id,
       'T3' AS table_id,
       row_key,
       col_key,
       expected,
       actual,
       format('{}（{}）应为 {} = {}，报告为 {}{}',
              row_label, col_label, sum_terms(terms, n_zero), fmt_num(expected), fmt_num(actual), blank_note(blank_involved)) AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM t3_subtotal_checks c
WHERE failing
  AND NOT EXISTS (SELECT 1 FROM layout_suspects s WHERE s.report_id = c.report_id AND s.table_id = 'T3')
