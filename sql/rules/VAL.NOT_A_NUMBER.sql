-- id: VAL.NOT_A_NUMBER
-- severity: error
-- title_zh: 应填数字的单元格不是数字
-- title_en: A cell the template wants as a number holds text that is not one
-- scope: report
-- doc: a cell the template wants as a number holds text that is not one
-- wording: none
-- Reported once per cell; every sum that needs the cell is "not assessable" and stays silent.
SELECT report_id,
       NULL AS related_report_id,
       table_id,
       row_key,
       col_key,
       NULL AS expected,
       NULL AS actual,
       format('{}的 {}（{}）印为“{}”，不是数字；用到此单元格的核对无法进行',
              table_zh(table_id), row_label, col_label, raw) AS message,
       to_json([operand(table_id, row_key, col_key, value, raw, kind)]) AS operands,
       to_json([cell_ref(table_id, row_key, col_key)]) AS cells,
       false AS blank_involved
FROM rule_cells
WHERE kind = 'text'
