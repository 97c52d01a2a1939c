-- id: VAL.NEGATIVE
-- severity: error
-- title_zh: 计数为负数
-- title_en: A count is negative (only 本年增/减 of the 2019 T2 may be)
-- scope: report
-- doc: a count is negative (only `change` in 2019 T2 may be)
-- wording: none
SELECT report_id,
       NULL AS related_report_id,
       table_id,
       row_key,
       col_key,
       NULL AS expected,
       value AS actual,
       format('{}的 {}（{}）为 {}，此栏不能为负数', table_zh(table_id), row_label, col_label, raw) AS message,
       to_json([operand(table_id, row_key, col_key, value, raw, kind)]) AS operands,
       to_json([cell_ref(table_id, row_key, col_key)]) AS cells,
       false AS blank_involved
FROM rule_cells
WHERE value < 0
  AND col_key <> 'change'  -- SIGNED_COLUMNS in domain/template.ts
  AND kind <> 'derived'    -- a sum of printed cells: the negative part is reported itself
