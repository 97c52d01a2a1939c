-- id: XA.AGGREGATE
-- severity: warning
-- title_zh: 汇总报告与下属机关之和不符，或下属机关的数字高于上级
-- title_en: With an agency hierarchy CSV: a summary report differs from the sum of its members; a member's count above its parent's
-- needs: listed
-- doc: with an agency hierarchy CSV: a parent whose report is a summary (全市/全区/汇总) differs, cell by cell, from the sum of its members' reports; for any parent, a member's count above the parent's
-- wording: 印为 | 下属机关之和为
-- wording_cell: 下属机关之和
-- Members are the agencies the CSV lists with that parent. Two findings:
--  * a parent whose report is a summary (its title says 全市/全区/全县/全省/…/汇总) and all of
--    whose members have a report that year: every T3/T4 cell must equal the members' sum
--    (one finding per differing cell, on the parent's report);
--  * any other parent: a member's T3/T4 count above the parent's (one finding per parent,
--    member and table, pointing at the cell with the largest excess; related = the member).
-- Compared on printed template keys both reports have (a 2019-format and a 2021-format
-- report compare on the rows they share); subtotal rows left out.
WITH parents AS (
  SELECT p.report_id, p.agency_key, p.agency, p.year,
         regexp_matches(coalesce(p.title, ''), '全市|全区|全县|全省|全州|全盟|全旗|汇总') AS is_summary
  FROM reps p
  WHERE p.agency_key IN (SELECT parent_norm FROM agency_hierarchy WHERE parent_norm IS NOT NULL)
), members AS (  -- every listed member, with its report of the parent's year when there is one
  SELECT p.report_id AS parent_report_id, h.agency AS member_agency, m.report_id AS member_report_id
  FROM parents p
  JOIN agency_hierarchy h ON h.parent_norm = p.agency_key
  LEFT JOIN reps m ON m.agency_key = h.agency_norm AND m.year = p.year
), summed_parents AS (  -- summaries all of whose members reported
  SELECT p.report_id AS parent_report_id, count(*) AS n_members
  FROM parents p JOIN members mb ON mb.parent_report_id = p.report_id
  WHERE p.is_summary
  GROUP BY p.report_id
  HAVING count(*) = count(mb.member_report_id)
), member_sums AS (
  SELECT sp.parent_report_id, c.table_id, c.row_key, c.col_key, any_value(sp.n_members) AS n_members,
         count(*) AS n, sum(c.value) AS members_sum, bool_or(c.value IS NULL) AS has_text, bool_or(c.kind = 'blank') AS blank,
         array_to_string(sorted_by(list({'k': mb.member_agency, 'v': mb.member_agency || fmt_num(c.value)})), ' + ') AS terms,
         sorted_by(list({'k': c.report_id, 'v': report_operand(c.report_id, c.table_id, c.row_key, c.col_key, c.value, c.raw, c.kind)})) AS operand_list
  FROM summed_parents sp
  JOIN members mb USING (parent_report_id)
  JOIN rule_cells c ON c.report_id = mb.member_report_id AND c.table_id IN ('T3', 'T4') AND NOT c.is_subtotal
  GROUP BY sp.parent_report_id, c.table_id, c.row_key, c.col_key
), summary_findings AS (
  SELECT pc.report_id, NULL AS related_report_id, pc.table_id, pc.row_key, pc.col_key,
         ms.members_sum AS expected, pc.value AS actual,
         format('{} 是汇总报告：{}（{}）印为 {}，各下属机关之和为 {} = {}{}',
                p.agency, pc.row_label, pc.col_label, fmt_num(pc.value), ms.terms, fmt_num(ms.members_sum),
                blank_note(ms.blank OR pc.kind = 'blank')) AS message,
         to_json(ms.operand_list) AS operands,
         to_json(list_prepend(report_cell_ref(pc.report_id, pc.table_id, pc.row_key, pc.col_key),
                              list_transform(ms.operand_list, o -> report_cell_ref(o.report_id, o.table_id, o.row_key, o.col_key)))) AS cells,
         ms.blank OR pc.kind = 'blank' AS blank_involved
  FROM member_sums ms
  JOIN parents p ON p.report_id = ms.parent_report_id
  JOIN rule_cells pc ON pc.report_id = ms.parent_report_id AND pc.table_id = ms.table_id AND pc.row_key = ms.row_key AND pc.col_key = ms.col_key
  WHERE ms.n = ms.n_members AND NOT ms.has_text
    AND pc.value IS NOT NULL AND pc.kind <> 'derived'
    AND pc.value <> ms.members_sum
), above AS (  -- a member's count above its (non-summed) parent's
  SELECT p.report_id, p.agency, mb.member_report_id, mb.member_agency, pc.table_id, pc.row_key, pc.col_key,
         pc.row_label, pc.col_label, pc.row_ord, pc.col_ord, pc.value AS parent_value, mc.value AS member_value,
         pc.raw AS parent_raw, pc.kind AS parent_kind, mc.raw AS member_raw, mc.kind AS member_kind
  FROM parents p
  JOIN members mb ON mb.parent_report_id = p.report_id AND mb.member_report_id IS NOT NULL
  JOIN rule_cells pc ON pc.report_id = p.report_id AND pc.table_id IN ('T3', 'T4') AND NOT pc.is_subtotal AND pc.kind <> 'derived'
  JOIN rule_cells mc ON mc.report_id = mb.member_report_id AND mc.table_id = pc.table_id AND mc.row_key = pc.row_key
                    AND mc.col_key = pc.col_key AND mc.kind <> 'derived'
  WHERE mc.value > pc.value
    AND p.report_id NOT IN (SELECT parent_report_id FROM summed_parents)
), above_findings AS (
  SELECT report_id, member_report_id AS related_report_id, table_id,
         arg_max({'row_key': row_key, 'col_key': col_key, 'row_label': row_label, 'col_label': col_label,
                  'parent': parent_value, 'member': member_value, 'agency': agency, 'member_agency': member_agency},
                 [member_value - parent_value, -row_ord, -col_ord]) AS top,
         count(*) AS n,
         -- sorted_by (_10_macros.sql), not ORDER BY inside the aggregate (a sort buffer per group)
         sorted_by(list({'k': {'row_ord': row_ord, 'row_key': row_key, 'col_ord': col_ord, 'col_key': col_key},
                         'v': report_operand(member_report_id, table_id, row_key, col_key, member_value, member_raw, member_kind)})) AS operand_list,
         flatten(sorted_by(list({'k': {'row_ord': row_ord, 'row_key': row_key, 'col_ord': col_ord, 'col_key': col_key},
                                 'v': [report_cell_ref(report_id, table_id, row_key, col_key), report_cell_ref(member_report_id, table_id, row_key, col_key)]}))) AS cell_list
  FROM above
  GROUP BY report_id, member_report_id, table_id
)
SELECT * FROM summary_findings
UNION ALL
SELECT report_id, related_report_id, table_id, top.row_key, top.col_key,
       top.member AS expected, top.parent AS actual,
       format('下属机关 {} 的{}（{}）为 {}，高于上级 {} 的 {}{}',
              top.member_agency, top.row_label, top.col_label, fmt_num(top.member), top.agency, fmt_num(top.parent),
              CASE WHEN n > 1 THEN format('（{}共有 {} 个单元格如此）', table_zh(table_id), n) ELSE '' END),
       to_json(operand_list), to_json(cell_list), false
FROM above_findings
