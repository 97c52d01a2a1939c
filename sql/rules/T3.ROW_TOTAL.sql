-- id: T3.ROW_TOTAL
-- severity: error
-- title_zh: 每行总计等于各类申请人之和
-- title_en: Every T3 row: total equals the sum of the applicant columns
-- scope: report
-- The sum's cells are in sum_members, its verdict in failing_sums (_prelude.sql): assessable
-- only when all seven cells are printed numbers; a table failing many sums at once is
-- VAL.LAYOUT_SUSPECT's instead.
SELECT report_id,
       NULL AS related_report_id,
       'T3' AS table_id,
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
WHERE rule_id = 'T3.ROW_TOTAL'
