-- id: VAL.FRACTION
-- severity: error
-- title_zh: 计数带有小数
-- title_en: A count has a fractional part
-- scope: report
-- doc: a count has a fractional part
-- wording: none
SELECT report_id,
       NULL AS related_report_id,
       table_id,
       row_key,
       col_key,
       round(value) AS expected,
       value AS actual,
       format('{}的 {}（{}）为 {}，件数应为整数', table_zh(table_id), row_label, col_label, raw) AS message,
       to_json([operand(table_id, row_key, col_key, value, raw, kind)]) AS operands,
       to_json([cell_ref(table_id, row_key, col_key)]) AS cells,
       false AS blank_involved
FROM rule_cells
WHERE value <> trunc(value)
  AND NOT (table_id = 'T2' AND col_key = 'amount')  -- money (万元) has decimals
  AND kind <> 'derived'
