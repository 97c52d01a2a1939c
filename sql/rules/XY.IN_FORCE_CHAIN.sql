-- id: XY.IN_FORCE_CHAIN
-- severity: warning
-- title_zh: 现行有效件数等于上年现行有效件数加本年制发减本年废止
-- title_en: 2021 T2 regulations, normative_docs: in_force(year) = in_force(year − 1) + issued(year) − repealed(year)
-- needs: has_t2 AND template = '2021' AND has_neighbour
-- doc: 2021 T2 regulations, normative_docs: in_force(year) = in_force(year − 1) + issued(year) − repealed(year)
-- wording: 印为 | 按上年推算为
-- wording_cell: 按上年推算
-- Both years in the 2021 format: the 2019 format's 对外公开总数量 is not 现行有效件数.
WITH docs AS (  -- the three cells of 规章 and of 规范性文件, per report
  SELECT report_id, row_key, any_value(row_label) AS row_label,
         any_value(c) FILTER (WHERE col_key = 'in_force') AS in_force,
         any_value(c) FILTER (WHERE col_key = 'issued') AS issued,
         any_value(c) FILTER (WHERE col_key = 'repealed') AS repealed
  FROM (SELECT *, {'value': value, 'raw': raw, 'kind': kind} AS c FROM rule_cells) AS cell
  WHERE table_id = 'T2' AND row_key IN ('regulations', 'normative_docs') AND col_key IN ('in_force', 'issued', 'repealed')
    AND kind <> 'derived'
  GROUP BY report_id, row_key
), chained AS (
  SELECT p.report_id, p.prev_report_id, p.year, cur.row_key, cur.row_label,
         prev.in_force AS prev_in_force, cur.issued, cur.repealed, cur.in_force,
         prev.in_force.value + cur.issued.value - cur.repealed.value AS expected,
         'blank' IN (prev.in_force.kind, cur.issued.kind, cur.repealed.kind, cur.in_force.kind) AS blank_involved
  FROM year_pairs p
  JOIN docs cur ON cur.report_id = p.report_id
  JOIN docs prev ON prev.report_id = p.prev_report_id AND prev.row_key = cur.row_key
  WHERE p.template = '2021' AND p.prev_template = '2021'
)
SELECT report_id,
       prev_report_id AS related_report_id,
       'T2' AS table_id,
       row_key,
       'in_force' AS col_key,
       expected,
       in_force.value AS actual,
       format('{}的现行有效件数印为 {}，按 {} 年的 {} + 本年制发 {} − 本年废止 {} 推算为 {}{}',
              row_label, fmt_num(in_force.value), year - 1, fmt_num(prev_in_force.value), fmt_num(issued.value), fmt_num(repealed.value),
              fmt_num(expected), blank_note(blank_involved)) AS message,
       to_json([report_operand(prev_report_id, 'T2', row_key, 'in_force', prev_in_force.value, prev_in_force.raw, prev_in_force.kind),
                report_operand(report_id, 'T2', row_key, 'issued', issued.value, issued.raw, issued.kind),
                report_operand(report_id, 'T2', row_key, 'repealed', repealed.value, repealed.raw, repealed.kind)]) AS operands,
       to_json([report_cell_ref(report_id, 'T2', row_key, 'in_force'),
                report_cell_ref(report_id, 'T2', row_key, 'issued'),
                report_cell_ref(report_id, 'T2', row_key, 'repealed'),
                report_cell_ref(prev_report_id, 'T2', row_key, 'in_force')]) AS cells,
       blank_involved
FROM chained
WHERE expected IS NOT NULL AND in_force.value IS NOT NULL  -- every cell there and a number
  AND expected <> in_force.value
