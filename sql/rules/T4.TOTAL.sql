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
       format('{}的总计应为 {} = {}，报告为 {}{}',
              total_row_label, sum_terms(terms, n_zero), fmt_num(expected), fmt_num(actual), blank_note(blank_involved)) AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM failing_sum_details
WHERE rule_id = 'T4.TOTAL'
