-- id: T3.GROUP_SUBTOTAL
-- severity: error
-- title_zh: 印出的小计等于其各分项之和
-- title_en: A printed subtotal of （三）（四）（五）（六） equals the sum of its items
-- scope: report
-- Subtotal rows are loaded as denied_subtotal, unable_subtotal, rejected_subtotal, other_subtotal
-- when a report prints them; every item of the group must be there (sum_members in _prelude.sql).
SELECT report_id,
       NULL AS related_report_id,
       'T3' AS table_id,
       sum_row AS row_key,
       sum_col AS col_key,
       expected,
       actual,
       sum_message(total_row_label || '（' || total_col_label || '）', '各项', terms, n_zero, expected, actual, blank_involved, total_blank, blank_totals, blank_parts, '小计在 N 处留空') AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM failing_sum_details
WHERE rule_id = 'T3.GROUP_SUBTOTAL'
