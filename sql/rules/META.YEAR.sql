-- id: META.YEAR
-- severity: warning
-- title_zh: 标题年份、统计期限年份与归档年份不一致
-- title_en: The year in the title, the statistics period (统计期限…) and the year the report is filed under disagree
-- scope: report
-- doc: the year in the title, the statistics period (统计期限…) and the year the report is filed under disagree
-- wording: none
-- expected: the statistics year the warehouse files the report under (reports.year);
-- actual: the first of period, filed, title year that differs from it.
WITH years AS (
  SELECT report_id, year, title_year, period_year, filed_year,
         list_distinct(list_filter([title_year, period_year, filed_year], y -> y IS NOT NULL)) AS named
  FROM rule_reports
)
SELECT report_id,
       NULL AS related_report_id,
       NULL AS table_id,
       NULL AS row_key,
       NULL AS col_key,
       year AS expected,
       CASE WHEN period_year IS DISTINCT FROM year AND period_year IS NOT NULL THEN period_year
            WHEN filed_year IS DISTINCT FROM year AND filed_year IS NOT NULL THEN filed_year
            ELSE title_year END AS actual,
       format('年份不一致：标题为 {}，统计期限为 {}，归档位置为 {}；按 {} 年计',
              coalesce(title_year::VARCHAR || ' 年', '（未写明）'), coalesce(period_year::VARCHAR || ' 年', '（未写明）'),
              coalesce(filed_year::VARCHAR || ' 年', '（未写明）'), coalesce(year::VARCHAR, '?')) AS message,
       NULL AS operands,
       NULL AS cells,
       false AS blank_involved
FROM years
WHERE len(named) > 1
