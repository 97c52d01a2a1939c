-- id: META.DUPLICATE
-- severity: warning
-- title_zh: 同一机关同一年度的两份文件数字不同
-- title_en: Two documents report the same agency and year with different numbers
-- doc: two documents report the same agency and year with different numbers (a re-publication, or a page and its attachment that disagree); cross-report rules then use the document first seen unless the agency CSV says otherwise. Documents with the same numbers are one report with several sources, and no finding
-- wording: none
-- Each document that is not its agency-year's representative (the document first seen,
-- report_groups in _40_report_groups.sql) is compared with the representative, cell by printed cell
-- present in both. Same numbers: one report with several sources, no finding. Counts compare
-- exactly; money within half a unit of the coarser printed decimal.
WITH others AS (
  SELECT g.report_id, g.rep_id, g.agency, g.year
  FROM report_groups g
  WHERE NOT g.is_rep
), doc_cells AS MATERIALIZED (
  -- the other documents' cells first: joining rule_cells to itself on the cell keys alone
  -- would pair every report with every other before the report filter applies
  SELECT o.rep_id, o.agency, o.year, a.*
  FROM others o
  JOIN rule_cells a ON a.report_id = o.report_id AND a.kind <> 'derived'
), differing AS (
  SELECT a.report_id, a.rep_id, a.agency, a.year, a.table_id, a.row_key, a.col_key, a.row_label, a.col_label,
         a.row_ord, a.col_ord, a.value AS doc_value, a.raw AS doc_raw, a.kind AS doc_kind,
         b.value AS rep_value, b.raw AS rep_raw, b.kind AS rep_kind,
         concat_ws('|', a.table_id, lpad(a.row_ord::VARCHAR, 4, '0'), a.row_key, lpad(a.col_ord::VARCHAR, 4, '0'), a.col_key) AS sort_key
  FROM doc_cells a
  JOIN rule_cells b ON b.report_id = a.rep_id AND b.kind <> 'derived'
                   AND b.table_id = a.table_id AND b.row_key = a.row_key AND b.col_key = a.col_key
  WHERE CASE WHEN a.value IS NULL AND b.value IS NULL THEN a.raw <> b.raw
             WHEN a.value IS NULL OR b.value IS NULL THEN true
             WHEN a.table_id = 'T2' AND a.col_key = 'amount'
               THEN abs(a.value - b.value) > greatest(printed_step(a.raw, a.unit), printed_step(b.raw, b.unit)) / 2 + 1e-9
             ELSE a.value <> b.value END
), per_document AS (
  SELECT report_id, rep_id, any_value(agency) AS agency, any_value(year) AS year, count(*) AS n,
         arg_min({'label': table_id || ' ' || row_label || '（' || col_label || '）', 'doc': coalesce(fmt_num(doc_value), doc_raw),
                  'rep': coalesce(fmt_num(rep_value), rep_raw)},
                 [table_id, lpad(row_ord::VARCHAR, 4, '0'), row_key, lpad(col_ord::VARCHAR, 4, '0'), col_key]) AS first_diff,
         -- sorted_by (_10_macros.sql), not ORDER BY inside the aggregate: one group per document
         sorted_by(list({'k': sort_key, 'v': report_operand(report_id, table_id, row_key, col_key, doc_value, doc_raw, doc_kind)})) AS operand_list,
         flatten(sorted_by(list({'k': sort_key,
                 'v': [report_cell_ref(report_id, table_id, row_key, col_key), report_cell_ref(rep_id, table_id, row_key, col_key)]}))) AS cell_list
  FROM differing
  GROUP BY report_id, rep_id
)
SELECT d.report_id,
       d.rep_id AS related_report_id,
       NULL AS table_id,
       NULL AS row_key,
       NULL AS col_key,
       NULL AS expected,
       d.n AS actual,
       format('{} {} 年的报告另有一份文件（{}），两者有 {} 个单元格数字不同，如 {} 此处为 {}、另一份为 {}；跨报告核对以先收到的那份为准',
              d.agency, d.year, r.source, d.n, d.first_diff.label, d.first_diff.doc, d.first_diff.rep) AS message,
       to_json(d.operand_list) AS operands,
       to_json(d.cell_list) AS cells,
       false AS blank_involved
FROM per_document d
JOIN rule_reports r ON r.report_id = d.rep_id
