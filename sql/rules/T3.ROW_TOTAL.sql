-- id: T3.ROW_TOTAL
-- severity: error
-- title_zh: 每行总计等于各类申请人之和
-- title_en: Every T3 row: total equals the sum of the applicant columns
-- scope: report
-- The sum's cells are in sum_members, its verdict in failing_sums (_prelude.sql): assessable
-- only when all seven cells are printed numbers; every failing row is reported, whatever else
-- the table fails (VAL.LAYOUT_SUSPECT only adds a finding).
SELECT report_id,
       NULL AS related_report_id,
       'T3' AS table_id,
       sum_row AS row_key,
       sum_col AS col_key,
       expected,
       actual,
       sum_message(total_row_label || '的总计', '各申请人', terms, n_zero, expected, actual, blank_involved, total_blank, blank_totals, blank_parts, '总计列在 N 行留空') AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM failing_sum_details
WHERE rule_id = 'T3.ROW_TOTAL'
