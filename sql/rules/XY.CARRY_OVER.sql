-- id: XY.CARRY_OVER
-- severity: error
-- title_zh: 上年结转等于上一年度报告的结转下年度继续办理
-- title_en: Every T3 column: carried_over(year) = carried_forward(year − 1)
-- needs: has_t3 AND NOT text_t3 AND has_neighbour
-- doc: every T3 column: carried_over(year) = carried_forward(year − 1)
-- wording: 本年上年结转印为 | 上年报告结转下年度印为
-- wording_cell: 上年报告
-- Consecutive years of one agency (year_pairs: representatives, agencies matched by name and by
-- the CSV's aliases). Unlike the T2 chains this one spans the 2019 → 2021 format switch: both
-- versions print the same T3 columns and the same two rows, meaning the same thing.
SELECT p.report_id,
       p.prev_report_id AS related_report_id,
       'T3' AS table_id,
       'carried_over' AS row_key,
       c.col_key,
       f.value AS expected,
       c.value AS actual,
       format('{}（{}）印为 {}，{} 年报告的“四、结转下年度继续办理”（{}）印为 {}{}',
              c.row_label, c.col_label, fmt_num(c.value), p.year - 1, f.col_label, fmt_num(f.value),
              blank_note(c.kind = 'blank' OR f.kind = 'blank')) AS message,
       to_json([report_operand(p.prev_report_id, 'T3', f.row_key, f.col_key, f.value, f.raw, f.kind)]) AS operands,
       to_json([report_cell_ref(p.report_id, 'T3', c.row_key, c.col_key),
                report_cell_ref(p.prev_report_id, 'T3', f.row_key, f.col_key)]) AS cells,
       c.kind = 'blank' OR f.kind = 'blank' AS blank_involved
FROM year_pairs p
JOIN rule_cells c ON c.report_id = p.report_id AND c.table_id = 'T3' AND c.row_key = 'carried_over'
JOIN rule_cells f ON f.report_id = p.prev_report_id AND f.table_id = 'T3' AND f.row_key = 'carried_forward' AND f.col_key = c.col_key
WHERE c.value IS NOT NULL AND f.value IS NOT NULL
  AND c.value <> f.value
