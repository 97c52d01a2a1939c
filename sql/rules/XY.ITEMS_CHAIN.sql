-- id: XY.ITEMS_CHAIN
-- severity: warning
-- title_zh: 上一年项目数量加本年增减等于下一年度的上一年项目数量
-- title_en: 2019 T2: prev_items(year) + change(year) = prev_items(year + 1)
-- needs: has_t2 AND template = '2019' AND has_neighbour
-- doc: 2019 T2: prev_items(year) + change(year) = prev_items(year + 1)
-- wording: 印为 | 按上年推算为
-- wording_cell: 按上年推算
-- Both years in the 2019 format. The finding is on the later report (its 上一年项目数量);
-- named sub-rows of 其他对外管理服务事项 are matched by their printed name. A row the extractor
-- added up from sub-rows in both years is left to the sub-rows.
WITH items AS (
  SELECT report_id, row_key, any_value(row_label) AS row_label,
         any_value(value) FILTER (WHERE col_key = 'prev_items') AS prev_items,
         any_value(value) FILTER (WHERE col_key = 'change') AS change,
         any_value(raw) FILTER (WHERE col_key = 'prev_items') AS prev_items_raw,
         any_value(kind) FILTER (WHERE col_key = 'prev_items') AS prev_items_kind,
         any_value(raw) FILTER (WHERE col_key = 'change') AS change_raw,
         any_value(kind) FILTER (WHERE col_key = 'change') AS change_kind,
         bool_and(kind = 'derived') AS derived
  FROM rule_cells
  WHERE table_id = 'T2' AND col_key IN ('prev_items', 'change')
  GROUP BY report_id, row_key
)
SELECT p.report_id,
       p.prev_report_id AS related_report_id,
       'T2' AS table_id,
       cur.row_key,
       'prev_items' AS col_key,
       prev.prev_items + prev.change AS expected,
       cur.prev_items AS actual,
       format('{}的“上一年项目数量”{}印为 {}，按 {} 年报告的上一年项目数量 {} + 本年增/减 {} 推算为 {}{}',
              cur.row_label, CASE WHEN cur.prev_items_kind = 'derived' THEN '（由各子项相加）' ELSE '' END,
              fmt_num(cur.prev_items), p.year - 1, fmt_num(prev.prev_items), fmt_num(prev.change),
              fmt_num(prev.prev_items + prev.change),
              blank_note(cur.prev_items_kind = 'blank' OR prev.prev_items_kind = 'blank' OR prev.change_kind = 'blank')) AS message,
       to_json([report_operand(p.prev_report_id, 'T2', prev.row_key, 'prev_items', prev.prev_items, prev.prev_items_raw, prev.prev_items_kind),
                report_operand(p.prev_report_id, 'T2', prev.row_key, 'change', prev.change, prev.change_raw, prev.change_kind)]) AS operands,
       to_json([report_cell_ref(p.report_id, 'T2', cur.row_key, 'prev_items'),
                report_cell_ref(p.prev_report_id, 'T2', prev.row_key, 'prev_items'),
                report_cell_ref(p.prev_report_id, 'T2', prev.row_key, 'change')]) AS cells,
       cur.prev_items_kind = 'blank' OR prev.prev_items_kind = 'blank' OR prev.change_kind = 'blank' AS blank_involved
FROM year_pairs p
JOIN items cur ON cur.report_id = p.report_id
JOIN items prev ON prev.report_id = p.prev_report_id AND prev.row_key = cur.row_key
WHERE p.template = '2019' AND p.prev_template = '2019'
  AND NOT (cur.derived AND prev.derived)
  AND cur.prev_items IS NOT NULL AND prev.prev_items IS NOT NULL AND prev.change IS NOT NULL
  AND prev.prev_items + prev.change <> cur.prev_items
