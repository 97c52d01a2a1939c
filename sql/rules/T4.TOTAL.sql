-- id: T4.TOTAL
-- severity: error
-- title_zh: 复议、诉讼各板块总计等于各结果之和
-- title_en: Each T4 block: total = upheld + corrected + other + pending
-- scope: report
SELECT report_id,
       NULL AS related_report_id,
       'T4' AS table_id,
       sum_row AS row_key,
       sum_col AS col_key,
       expected,
       actual,
       sum_message(total_row_label || '的总计', '各项结果', terms, n_zero, expected, actual, blank_involved, total_blank, blank_totals, blank_parts, '总计在 N 个板块留空') AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM failing_sum_details
WHERE rule_id = 'T4.TOTAL'
