-- id: XY.COPY
-- severity: warning
-- title_zh: 表三或表四与上一年度完全相同
-- title_en: T3 (or T4) identical to the previous year's, with at least 3 non-zero cells: likely copied forward
-- needs: (has_t3 OR has_t4) AND has_neighbour
-- doc: T3 (or T4) identical to the previous year's, with at least 3 non-zero cells: likely copied forward
-- wording: none
-- Compared as canonical contents (table_signatures: （六） collapsed, so the two versions
-- compare). "Non-zero cells" counts cells that are not totals: one request granted makes six
-- non-zero T3 cells but only two independent ones.
SELECT p.report_id,
       p.prev_report_id AS related_report_id,
       cur.table_id,
       NULL AS row_key,
       NULL AS col_key,
       NULL AS expected,
       cur.independent_nonzero AS actual,
       format('{}与 {} 年报告的同一表完全相同（{} 个非零单元格，不计总计），可能是照抄上一年度',
              table_zh(cur.table_id), p.year - 1, cur.independent_nonzero) AS message,
       NULL AS operands,
       NULL AS cells,
       false AS blank_involved
FROM year_pairs p
JOIN table_signatures cur ON cur.report_id = p.report_id
JOIN table_signatures prev ON prev.report_id = p.prev_report_id AND prev.table_id = cur.table_id
WHERE cur.signature = prev.signature
  AND cur.independent_nonzero >= 3
