-- id: T3.RESULT_TOTAL
-- severity: error
-- title_zh: （七）总计等于各项办理结果之和
-- title_en: Every T3 column: total_processed equals the sum of the results
-- scope: report
-- Results: granted + partial + Σdenied_* + Σunable_* + Σrejected_* + （六）(2019: other;
-- 2021: other_no_correction + other_no_fee + other_misc), per the report's version (sum_members in
-- _prelude.sql). Printed subtotals are not results.
SELECT report_id,
       NULL AS related_report_id,
       'T3' AS table_id,
       sum_row AS row_key,
       sum_col AS col_key,
       expected,
       actual,
       sum_message('（七）总计（' || total_col_label || '）', '各项办理结果', terms, n_zero, expected, actual, blank_involved, total_blank, blank_totals, blank_parts, '（七）总计在 N 列留空') AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM failing_sum_details
WHERE rule_id = 'T3.RESULT_TOTAL'
