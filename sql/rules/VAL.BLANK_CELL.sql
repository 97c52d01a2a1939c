-- id: VAL.BLANK_CELL
-- severity: info
-- title_zh: 单元格留空而未填0
-- title_en: Cells left blank rather than printed 0 (one finding per table, with the count)
-- scope: report
-- doc: cells left blank rather than printed 0 (one finding per table, with the count)
-- wording: none
-- Blank = empty, /, —, 无 … (kind 'blank'): counted as 0 by every rule, but "blank" may also
-- mean "forgot".
SELECT report_id,
       NULL AS related_report_id,
       table_id,
       NULL AS row_key,
       NULL AS col_key,
       NULL AS expected,
       count(*) AS actual,
       format('{}有 {} 个单元格留空（或印为“/”“—”“无”）而未填0，核对时按0计；留空也可能是漏填',
              table_zh(table_id), count(*)) AS message,
       NULL AS operands,
       cell_refs_json(table_id, row_key, col_key, row_ord, col_ord) AS cells,
       true AS blank_involved
FROM rule_cells
WHERE kind = 'blank'
GROUP BY report_id, table_id
