-- id: XY.JUMP
-- severity: info
-- title_zh: 新收申请数或复议诉讼总数较上年剧变
-- title_en: new_received or a T4 total changes by more than ×5 or below ×0.2, from a base of at least 10
-- needs: (has_t3 OR has_t4) AND has_neighbour
-- doc: new_received or a T4 total changes by more than ×5 or below ×0.2, from a base of at least 10
-- wording: 本年 | 上年
-- wording_difference: no
-- wording_cell: 上年
-- expected: last year's value (the base); actual: this year's.
WITH watched AS (  -- T3 一、本年新收 (总计) and the 总计 of each T4 block
  SELECT * FROM rule_cells
  WHERE (table_id = 'T3' AND row_key = 'new_received' AND col_key = 'total')
     OR (table_id = 'T4' AND col_key = 'total')
)
SELECT p.report_id,
       p.prev_report_id AS related_report_id,
       c.table_id,
       c.row_key,
       c.col_key,
       b.value AS expected,
       c.value AS actual,
       format('{}（{}）从 {} 年的 {} 变为 {}（×{}），超出 0.2～5 倍',
              c.row_label, c.col_label, p.year - 1, fmt_num(b.value), fmt_num(c.value), fmt_num(round(c.value / b.value, 2))) AS message,
       to_json([report_operand(p.prev_report_id, b.table_id, b.row_key, b.col_key, b.value, b.raw, b.kind),
                report_operand(p.report_id, c.table_id, c.row_key, c.col_key, c.value, c.raw, c.kind)]) AS operands,
       to_json([report_cell_ref(p.report_id, c.table_id, c.row_key, c.col_key),
                report_cell_ref(p.prev_report_id, b.table_id, b.row_key, b.col_key)]) AS cells,
       c.kind = 'blank' OR b.kind = 'blank' AS blank_involved
FROM year_pairs p
JOIN watched c ON c.report_id = p.report_id
JOIN watched b ON b.report_id = p.prev_report_id AND b.table_id = c.table_id AND b.row_key = c.row_key AND b.col_key = c.col_key
WHERE b.value >= 10 AND c.value IS NOT NULL
  AND (c.value > 5 * b.value OR c.value < 0.2 * b.value)
