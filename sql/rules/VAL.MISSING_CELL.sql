-- id: VAL.MISSING_CELL
-- severity: warning
-- title_zh: 已识别的表中缺少模板的行、列或单元格
-- title_en: A row or column of the template is absent from a recognised table
-- scope: report
-- doc: a row or column of the template is absent from a recognised table
-- wording: none
-- Compared with template_keys for the report's version. One finding per wholly missing row,
-- per column missing from every row that is there, and per remaining missing cell. Reports
-- whose version is unknown are skipped (the template to compare with is unknown).
WITH wanted AS (  -- cells per table of each version
  SELECT template, table_id, count(*) AS n FROM template_keys GROUP BY ALL
), present AS (  -- template cells per table of each report (a report has one cell per key: the recogniser keeps the first)
  SELECT c.report_id, c.table_id, count(*) AS n
  FROM cells c
  JOIN rule_reports r USING (report_id)
  SEMI JOIN template_keys k ON k.template = r.template AND k.table_id = c.table_id AND k.row_key = c.row_key AND k.col_key = c.col_key
  GROUP BY ALL
), incomplete AS (  -- the tables a report has with fewer cells than the template: only these are compared cell by cell
  SELECT r.report_id, r.template, w.table_id
  FROM rule_reports r
  JOIN wanted w ON w.template = r.template
  LEFT JOIN present p ON p.report_id = r.report_id AND p.table_id = w.table_id
  WHERE list_position(string_split(r.tables_found, ','), w.table_id) IS NOT NULL AND coalesce(p.n, 0) < w.n
), expected_cells AS (  -- every cell the template wants in those tables
  SELECT i.report_id, k.table_id, k.row_key, k.col_key, k.row_label, k.col_label, k.row_order, k.col_order
  FROM incomplete i
  JOIN template_keys k ON k.template = i.template AND k.table_id = i.table_id
), missing AS (
  SELECT e.* FROM expected_cells e ANTI JOIN cells c USING (report_id, table_id, row_key, col_key)
), row_sizes AS (
  SELECT report_id, table_id, row_key, count(*) AS n FROM expected_cells GROUP BY ALL
), whole_rows AS (
  SELECT m.report_id, m.table_id, m.row_key, any_value(m.row_label) AS row_label, count(*) AS n,
         sorted_by(list({'k': m.col_order, 'v': cell_ref(m.table_id, m.row_key, m.col_key)})) AS cell_list
  FROM missing m JOIN row_sizes s USING (report_id, table_id, row_key)
  GROUP BY m.report_id, m.table_id, m.row_key
  HAVING count(*) = any_value(s.n)
), in_present_rows AS (  -- missing cells of rows that are there
  SELECT m.* FROM missing m ANTI JOIN whole_rows w USING (report_id, table_id, row_key)
), col_sizes AS (  -- cells of each column among the rows that are there
  SELECT e.report_id, e.table_id, e.col_key, count(*) AS n
  FROM expected_cells e ANTI JOIN whole_rows w USING (report_id, table_id, row_key)
  GROUP BY ALL
), whole_cols AS (
  SELECT m.report_id, m.table_id, m.col_key, any_value(m.col_label) AS col_label, count(*) AS n,
         sorted_by(list({'k': m.row_order, 'v': cell_ref(m.table_id, m.row_key, m.col_key)})) AS cell_list
  FROM in_present_rows m JOIN col_sizes s USING (report_id, table_id, col_key)
  GROUP BY m.report_id, m.table_id, m.col_key
  HAVING count(*) = any_value(s.n) AND count(*) >= 2
), single_cells AS (
  SELECT m.* FROM in_present_rows m ANTI JOIN whole_cols w USING (report_id, table_id, col_key)
)
SELECT report_id, NULL AS related_report_id, table_id, row_key, NULL AS col_key, NULL AS expected, NULL AS actual,
       format('{}缺少“{}”一行（{} 个单元格）', table_zh(table_id), row_label, n) AS message,
       NULL AS operands, to_json(cell_list) AS cells, false AS blank_involved
FROM whole_rows
UNION ALL
SELECT report_id, NULL, table_id, NULL, col_key, NULL, NULL,
       format('{}缺少“{}”一列（{} 个单元格）', table_zh(table_id), col_label, n),
       NULL, to_json(cell_list), false
FROM whole_cols
UNION ALL
SELECT report_id, NULL, table_id, row_key, col_key, NULL, NULL,
       format('{}缺少 {}（{}）一格', table_zh(table_id), row_label, col_label),
       NULL, to_json([cell_ref(table_id, row_key, col_key)]), false
FROM single_cells
