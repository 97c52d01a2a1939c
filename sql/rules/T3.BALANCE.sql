-- id: T3.BALANCE
-- severity: error
-- title_zh: 第一项加第二项之和等于第三项加第四项之和
-- title_en: Every T3 column: new_received + carried_over = total_processed + carried_forward
-- The finding points at the column (row_key NULL): which of the four cells is wrong is not
-- knowable; all four are in `cells`. expected = 一 + 二, actual = 三（七） + 四.
SELECT report_id,
       NULL AS related_report_id,
       'T3' AS table_id,
       NULL AS row_key,
       col_key,
       expected,
       actual,
       format('（{}）本年新收{} + 上年结转{} = {}，应等于 办理结果总计{} + 结转下年度继续办理{} = {}（第一项加第二项之和，等于第三项加第四项之和）{}',
              col_label, fmt_num(new_received), fmt_num(carried_over), fmt_num(expected),
              fmt_num(total_processed), fmt_num(carried_forward), fmt_num(actual), blank_note(blank_involved)) AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM t3_balance_checks c
WHERE failing
  AND NOT EXISTS (SELECT 1 FROM layout_suspects s WHERE s.report_id = c.report_id AND s.table_id = 'T3')
