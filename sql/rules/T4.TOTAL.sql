-- id: T4.TOTAL
-- severity: error
-- title_zh: 复议、诉讼各板块总计等于各结果之和
-- title_en: Each T4 block: total = upheld + corrected + other + pending
SELECT report_id,
       NULL AS related_report_id,
       'T4' AS table_id,
       row_key,
       'total' AS col_key,
       expected,
       actual,
       format('{}的总计应为 {} = {}，报告为 {}{}',
              row_label, sum_terms(terms, n_zero), fmt_num(expected), fmt_num(actual), blank_note(blank_involved)) AS message,
       to_json(operand_list) AS operands,
       to_json(cell_list) AS cells,
       blank_involved
FROM t4_block_checks c
WHERE failing
  AND NOT EXISTS (SELECT 1 FROM layout_suspects s WHERE s.report_id = c.report_id AND s.table_id = 'T4')
