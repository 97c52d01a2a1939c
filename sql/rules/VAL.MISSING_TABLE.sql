-- id: VAL.MISSING_TABLE
-- severity: error
-- title_zh: 缺少统计表或未能识别
-- title_en: T3 or T4 (or T2) is absent or could not be recognised
-- scope: report
-- doc: T3 or T4 (or T2) is absent or could not be recognised
-- wording: none
-- One finding per missing table of a report with status ok or partial. A failed document (no
-- table recognised at all, or unreadable) gets none: the run lists it as failed with its reason.
SELECT r.report_id,
       NULL AS related_report_id,
       t.table_id,
       NULL AS row_key,
       NULL AS col_key,
       NULL AS expected,
       NULL AS actual,
       format('报告中没有找到{}（{}），或未能识别', t.table_id, table_zh(t.table_id)) AS message,
       NULL AS operands,
       NULL AS cells,
       false AS blank_involved
FROM rule_reports r
CROSS JOIN (VALUES ('T2'), ('T3'), ('T4')) AS t(table_id)
WHERE list_position(string_split(r.tables_found, ','), t.table_id) IS NULL
