-- Shared definitions for the rule queries of sql/rules/. Files starting with `_` run first, in
-- name order, in the rule runner's connection, a statement at a time:
--   _10_macros.sql            formatting helpers and small table macros (read only `cells`)
--   _20_cells.sql             the reports the rules look at, and every cell with its labels
--   _30_sums.sql              the sums of T3 and T4, the failing ones formatted, layout suspects
--   _40_report_groups.sql     one report per agency and year; consecutive years
--   _50_table_signatures.sql  a signature per table, for identical contents
-- Nothing here is stored in the warehouse.
-- The shared sets that are costly to compute and small to keep are tables computed once per run
-- (the warehouse does not change while the rules run), kept in `rules_work`: a scratch database
-- file the runner attaches and deletes afterwards (pipeline/rules/work.ts), so DuckDB can page
-- them out. Those as large as the cells themselves (rule_cells, sum_members, canonical_cells) are
-- views: writing them out cost more than each reader's join (every rule filters before it joins).
-- Unqualified names find them (search_path). A table marked `-- scope: report` (each row about one
-- report, from that report's rows alone) is filled a slice of reports at a time on a large
-- warehouse (pipeline/rules/slices.ts), like a report-scoped rule.
-- Also present (created by pipeline/rules/context.ts):
--   rule_keys(table_id, template, axis, key, label, ord, grp, subtotal)  template keys and labels
--                                         ('*' = any version), T3 result groups, subtotal rows
--   agency_hierarchy(agency, agency_norm, parent, parent_norm, region, level, line)  --agencies CSV
--   agency_aliases(alias_norm, agency_norm)  every CSV name and alias → the CSV agency

-- ------------------------------------------------------------------ reports and cells

-- Reports the rules look at (a failed document has no tables; the run summary lists it).
CREATE OR REPLACE TABLE rules_work.rule_reports AS
SELECT report_id, source, sha256, format, agency, agency_norm, year, template, status, error, title, title_year, period_year,
       filed_year, coalesce(tables_found, '') AS tables_found, coalesce(warnings, '[]') AS warnings
FROM reports
WHERE status <> 'failed';

-- Every key of the template as each version present reads it: the version's own label, order,
-- group and subtotal flag, else those shared by every version ('*'). ('' = version unknown.)
CREATE OR REPLACE TEMP TABLE resolved_keys AS
WITH versions AS (
  SELECT DISTINCT coalesce(template, '') AS template FROM rule_reports
), all_keys AS (
  SELECT DISTINCT table_id, axis, key FROM rule_keys
)
SELECT v.template, k.table_id, k.axis, k.key,
       coalesce(own.label, shared.label) AS label, coalesce(own.ord, shared.ord) AS ord,
       coalesce(own.grp, shared.grp) AS grp, coalesce(own.subtotal, shared.subtotal) AS subtotal
FROM versions v CROSS JOIN all_keys k
LEFT JOIN rule_keys own ON own.template = v.template AND own.table_id = k.table_id AND own.axis = k.axis AND own.key = k.key
LEFT JOIN rule_keys shared ON shared.template = '*' AND shared.table_id = k.table_id AND shared.axis = k.axis AND shared.key = k.key;

-- Every cell with its labels and place in the template of its report's version (a view: see above).
CREATE OR REPLACE TEMP VIEW rule_cells AS
SELECT c.report_id, r.template, c.table_id, c.row_key, c.col_key, c.value, c.raw, c.kind, c.unit,
       coalesce(rk.label,
                CASE WHEN c.row_key LIKE 'other_services:%' THEN '其他对外管理服务事项/' || substr(c.row_key, 16) END,
                c.row_key) AS row_label,
       coalesce(ck.label, c.col_key) AS col_label,
       coalesce(rk.ord, 999) AS row_ord,
       coalesce(ck.ord, 999) AS col_ord,
       rk.grp AS grp,
       coalesce(rk.subtotal, false) AS is_subtotal
FROM cells c
JOIN rule_reports r USING (report_id)
LEFT JOIN resolved_keys rk ON rk.template = coalesce(r.template, '') AND rk.table_id = c.table_id AND rk.axis = 'row' AND rk.key = c.row_key
LEFT JOIN resolved_keys ck ON ck.template = coalesce(r.template, '') AND ck.table_id = c.table_id AND ck.axis = 'col' AND ck.key = c.col_key;
