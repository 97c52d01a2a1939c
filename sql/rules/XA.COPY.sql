-- id: XA.COPY
-- severity: warning
-- title_zh: 不同机关同一年度的表三（及表四）完全相同
-- title_en: Two different agencies publish identical T3 (and T4) for the same year, with at least 3 non-zero cells
-- needs: has_t3 OR has_t4
-- doc: two different agencies publish identical T3 (and T4) for the same year, with at least 3 non-zero cells
-- wording: none
-- Representatives only (one report per agency and year). T3 must be identical, with at least 3
-- non-zero cells that are not totals (table_signatures); T4 too when both print it. The finding
-- is on the document seen later (ties: the larger report_id), related = the other.
SELECT a.report_id,
       b.report_id AS related_report_id,
       'T3' AS table_id,
       NULL AS row_key,
       NULL AS col_key,
       NULL AS expected,
       s3a.independent_nonzero AS actual,
       format('{}与同年 {} 的报告（{}）完全相同（{} 个非零单元格，不计总计）{}，可能是照抄',
              table_zh('T3'), b.agency, b.source, s3a.independent_nonzero,
              CASE WHEN s4a.signature IS NOT NULL AND s4b.signature IS NOT NULL THEN '，表四也相同' ELSE '' END) AS message,
       NULL AS operands,
       NULL AS cells,
       false AS blank_involved
FROM reps a
JOIN reps b ON b.year = a.year AND b.agency_key <> a.agency_key
JOIN table_signatures s3a ON s3a.report_id = a.report_id AND s3a.table_id = 'T3'
JOIN table_signatures s3b ON s3b.report_id = b.report_id AND s3b.table_id = 'T3' AND s3b.signature = s3a.signature
LEFT JOIN table_signatures s4a ON s4a.report_id = a.report_id AND s4a.table_id = 'T4'
LEFT JOIN table_signatures s4b ON s4b.report_id = b.report_id AND s4b.table_id = 'T4'
WHERE s3a.independent_nonzero >= 3
  AND (s4a.signature IS NULL OR s4b.signature IS NULL OR s4a.signature = s4b.signature)
  AND (coalesce(a.first_seen, TIMESTAMP '1970-01-01'), a.report_id) > (coalesce(b.first_seen, TIMESTAMP '1970-01-01'), b.report_id)
