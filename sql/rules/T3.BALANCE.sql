-- id: T3.BALANCE
-- severity: error
-- title_zh: 第一项加第二项之和等于第三项加第四项之和
-- title_en: Every T3 column: new_received + carried_over = total_processed + carried_forward
-- scope: report
-- needs: has_t3 AND NOT text_t3
-- doc: every T3 column: new_received + carried_over = total_processed + carried_forward (the template prints this rule itself: 第一项加第二项之和，等于第三项加第四项之和)
-- wording: 第三项加第四项为 | 第一项加第二项为
-- The finding points at the column (row_key NULL): which of the four cells is wrong is not
-- knowable; all four are in `cells`. expected = 一 + 二, actual = 三（七） + 四.
WITH column_details AS (
  SELECT f.sum_id, f.report_id, f.sum_col, f.expected, f.actual, f.blank_involved,
         any_value(c.col_label) AS col_label,
         any_value(c.value) FILTER (WHERE c.row_key = 'new_received') AS new_received,
         any_value(c.value) FILTER (WHERE c.row_key = 'carried_over') AS carried_over,
         any_value(c.value) FILTER (WHERE c.row_key = 'total_processed') AS total_processed,
         any_value(c.value) FILTER (WHERE c.row_key = 'carried_forward') AS carried_forward,
         sorted_by(list({'k': c.row_ord, 'v': operand(c.table_id, c.row_key, c.col_key, c.value, c.raw, c.kind)})) AS operand_list,
         sorted_by(list({'k': c.row_ord, 'v': cell_ref(c.table_id, c.row_key, c.col_key)})) AS cell_list
  FROM failing_sums f
  JOIN failing_sum_cells m USING (sum_id)
  JOIN rule_cells c ON c.report_id = m.report_id AND c.table_id = m.table_id AND c.row_key = m.row_key AND c.col_key = m.col_key
  WHERE f.rule_id = 'T3.BALANCE'
  GROUP BY ALL
)
SELECT report_id,
       NULL AS related_report_id,
       'T3' AS table_id,
       NULL AS row_key,
       sum_col AS col_key,
       expected,
       actual,
       format('（{}）本年新收{} + 上年结转{} = {}，办理结果总计{} + 结转下年度继续办理{} = {}，两者不等（第一项加第二项之和，应等于第三项加第四项之和）{}',
              col_label, fmt_num(new_received), fmt_num(carried_over), fmt_num(expected),
              fmt_num(total_processed), fmt_num(carried_forward), fmt_num(actual), blank_note(blank_involved)) AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM column_details
