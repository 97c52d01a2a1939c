-- id: XA.OUTLIER
-- severity: info
-- title_zh: 比率远离同年同级机关
-- title_en: A rate (granted share, corrected share of reviews, …) far outside the agency's peer group for the year
-- needs: has_t3 OR has_t4
-- doc: a rate (granted share, corrected share of reviews, …) far outside the agency's peer group for the year (robust z-score over at least 10 peers)
-- wording: none
-- Robust z-score: (x − median) / (1.4826 · MAD) over the peer group (same year and the same
-- `level` in the agency CSV; agencies without one — every agency when there is no CSV — form one
-- group per year), at least 10 peers. When more than half the peers share one value (MAD = 0)
-- the mean absolute deviation stands in (1.2533 · MeanAD). Flagged: |z| > 3.5 and at least 20
-- percentage points from the median. A rate needs a base of at least 10 applications (T3) or 5
-- decided cases (T4). expected is NULL (the median moves as reports arrive; it is in the
-- message): the finding's identity stays the report's own numbers.
-- The rates are rules_work.report_rates and their cells the view rate_cells (_60_rates.sql): a
-- report's rates come from its own cells, so an incremental run computes them for the reports
-- it touches and keeps the others' (pipeline/rules/incremental.ts).
-- Incremental runs: a report arriving, changing or leaving changes its peer group's median and
-- spread, so every finding of that year and level may move (its z, median and n in the message;
-- a rate may cross the threshold either way). They are all evaluated again; findings of other
-- peer groups stay.
WITH peers AS (
  SELECT r.year, h.level, coalesce(h.level, '') AS peer_group, rt.*, rt.part / rt.base AS x
  FROM reps r
  JOIN report_rates rt USING (report_id)
  LEFT JOIN agency_hierarchy h ON h.agency_norm = r.agency_key
  WHERE NOT rt.has_text AND rt.base >= rt.min_base
), centre AS (
  SELECT year, peer_group, rate, count(*) AS n, median(x) AS med
  FROM peers GROUP BY ALL HAVING count(*) >= 10
), spread AS (
  SELECT p.year, p.peer_group, p.rate, any_value(c.n) AS n, any_value(c.med) AS med,
         median(abs(p.x - c.med)) AS mad, avg(abs(p.x - c.med)) AS mean_ad
  FROM peers p JOIN centre c USING (year, peer_group, rate)
  GROUP BY ALL
), scored AS (
  SELECT p.*, s.n, s.med,
         (p.x - s.med) / CASE WHEN s.mad > 0 THEN 1.4826 * s.mad ELSE 1.2533 * s.mean_ad END AS z
  FROM peers p JOIN spread s USING (year, peer_group, rate)
  WHERE s.mad > 0 OR s.mean_ad > 0
), outliers AS (
  SELECT * FROM scored WHERE abs(z) > 3.5 AND abs(x - med) >= 0.2
), outlier_operands AS (  -- the cells of the flagged rates only (a list per rate of every report held 200 MB at 10,000 reports)
  SELECT o.report_id, o.rate,
         sorted_by(list({'k': [c.row_ord, c.col_ord], 'v': operand(c.table_id, c.row_key, c.col_key, c.value, c.raw, c.kind)})) AS operand_list
  FROM outliers o JOIN rate_cells c ON c.report_id = o.report_id AND c.rate = o.rate
  WHERE c.in_part OR c.in_base
  GROUP BY o.report_id, o.rate
)
SELECT report_id,
       NULL AS related_report_id,
       table_id,
       NULL AS row_key,
       NULL AS col_key,
       NULL AS expected,
       round(x, 6) AS actual,
       format('{}为 {}%（{}/{}），同年{} {} 个机关的中位数为 {}%（稳健 z = {}）',
              rate_zh, fmt_num(round(100 * x, 1)), fmt_num(part), fmt_num(base),
              CASE WHEN level IS NULL THEN '' ELSE '同级（' || level || '）' END, n,
              fmt_num(round(100 * med, 1)), fmt_num(round(z, 1))) AS message,
       to_json(operand_list) AS operands,
       to_json(list_transform(operand_list, o -> cell_ref(o.table_id, o.row_key, o.col_key))) AS cells,
       false AS blank_involved
FROM outliers JOIN outlier_operands USING (report_id, rate)
