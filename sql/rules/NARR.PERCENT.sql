-- id: NARR.PERCENT
-- severity: warning
-- title_zh: 正文所述比例与数字不符
-- title_en: A share stated in the prose differs from part / whole
-- scope: report
-- needs: claims_percent
-- doc: a stated share differs from part / whole beyond its printed rounding (the whole named, or, when unnamed, the one the paragraph's other shares fit)
-- wording: 正文称 | 按表计算为
-- wording_no_table: 正文称 | 按正文数字计算为
-- wording_suffix: %
-- wording_difference: no
--
-- part = the count the prose states; whole = the base the sentence names, looked up in T3
-- (claims.base, see extractors/claims/index.ts):
--   t3.total_processed  已答复总数/办结总数
--   t3.received         总数 of the requests received: new_received, or new_received + carried_over
--   a|b                 either base (占申请总数的… said of a result): any reading that fits is taken
--   parts:N             总数 of a 共N…其中 list: N as stated
--   inferred:N          no base named (占比…), but the paragraph's other shares of one unnamed base
--                       fit N (extractors/claims/shares.ts): the share that does not is flagged
-- Any other base (占总数的… said of a result, 占比…) is unclear and not checked.
-- A share fits when it is part / whole rounded to its printed decimals (44.44% → ±0.005,
-- 40% → ±0.5), or truncated to them (some agencies cut 66.666% to 66.66%). 40.0% is read as 40%.
-- expected = part / whole at the printed decimals (first reading), actual = the printed share.
-- operands: {"sentence", "offset", "quantity", "claimed", "percent", "base", "cells": [{table_id,row_key,col_key,value,raw,kind}]}.
WITH claim AS (
  SELECT row_number() OVER (ORDER BY report_id, "offset", quantity, value, percent) AS claim_id,
         report_id, quantity, value, percent, base, sentence, "offset",
         -- decimals printed: 44.44 → 2, 40 → 0
         CASE WHEN abs(percent - round(percent)) < 1e-9 THEN 0
              WHEN abs(percent * 10 - round(percent * 10)) < 1e-9 THEN 1
              WHEN abs(percent * 100 - round(percent * 100)) < 1e-9 THEN 2
              ELSE 3 END AS decimals
  FROM claims
  WHERE percent IS NOT NULL AND value IS NOT NULL AND base IS NOT NULL
),
-- The wholes each base allows, as rows of T3 (total column) to add up.
reading(base, reading, row_key) AS (
  VALUES ('t3.total_processed', 1, 'total_processed'),
         ('t3.received', 1, 'new_received'),
         ('t3.received', 2, 'new_received'),
         ('t3.received', 2, 'carried_over')
),
whole AS (
  -- T3 bases; a base a|b is each of its parts
  SELECT cl.claim_id, (b.i - 1) * 10 + r.reading AS reading,
         sum(c.value) AS whole, count(*) FILTER (WHERE c.value IS NULL) AS texts,
         bool_or(c.kind = 'blank') AS blank,
         -- sorted_by (_10_macros.sql), not ORDER BY inside the aggregate: a sort buffer per claim held 130 MB at 10,000 reports
         sorted_by(list({'k': c.row_key,
                         'v': {'table_id': 'T3', 'row_key': c.row_key, 'col_key': c.col_key, 'value': c.value, 'raw': c.raw, 'kind': c.kind}})) AS operands,
         any_value(b.base) AS base_key
  FROM claim cl
  CROSS JOIN LATERAL (SELECT unnest(string_split(cl.base, '|')) AS base, generate_subscripts(string_split(cl.base, '|'), 1) AS i) b
  JOIN reading r ON r.base = b.base
  -- a blank 总计 whose applicant columns are printed is their sum, of kind 'parts' (_10_macros.sql)
  JOIN t3_cells_totals_from_parts() c ON c.report_id = cl.report_id AND c.row_key = r.row_key AND c.col_key = 'total'
  GROUP BY cl.claim_id, b.i, r.reading
  UNION ALL
  -- the stated total of a 其中 list; the base the other shares of the paragraph fit
  SELECT claim_id, 1, CAST(split_part(base, ':', 2) AS DOUBLE), 0, false, [], base
  FROM claim WHERE base LIKE 'parts:%' OR base LIKE 'inferred:%'
),
verdict AS (
  SELECT w.claim_id,
         bool_or(abs(100 * cl.value / w.whole - cl.percent) <= 0.5 * pow(10, -cl.decimals) + 1e-9
                 OR (100 * cl.value / w.whole >= cl.percent - 1e-9 AND 100 * cl.value / w.whole < cl.percent + pow(10, -cl.decimals))) AS fits,
         sum(w.texts) AS texts,
         bool_or(w.whole = 0) AS zero,
         arg_min(w.whole, w.reading) AS whole,
         arg_min(w.base_key, w.reading) AS base_key,
         bool_or(w.blank) AS blank,
         -- sorted after aggregating, not with ORDER BY inside it (a sort buffer per claim)
         list_distinct(flatten(list_transform(list_sort(list({'k': w.reading, 'v': w.operands})), x -> x.v))) AS operands
  FROM whole w JOIN claim cl USING (claim_id)
  GROUP BY w.claim_id
)
SELECT cl.report_id,
       NULL::VARCHAR AS related_report_id,
       CASE WHEN v.base_key LIKE 't3.%' THEN 'T3' END AS table_id,
       CASE v.base_key WHEN 't3.total_processed' THEN 'total_processed' WHEN 't3.received' THEN 'new_received' END AS row_key,
       CASE WHEN v.base_key LIKE 't3.%' THEN 'total' END AS col_key,
       round(100 * cl.value / v.whole, cl.decimals) AS expected,
       cl.percent AS actual,
       '正文称"' || cl.sentence || '"，' || CAST(CAST(cl.value AS BIGINT) AS VARCHAR) || ' 占 '
         || CASE v.base_key
              WHEN 't3.total_processed' THEN '表三（七）总计 '
              WHEN 't3.received' THEN '表三本年新收申请数 '
              ELSE CASE WHEN v.base_key LIKE 'inferred:%' THEN '同段其他比例所用的总数 ' ELSE '所称总数 ' END END
         || CAST(CAST(v.whole AS BIGINT) AS VARCHAR) || ' 的 '
         || format('{:.{}f}', 100 * cl.value / v.whole, cl.decimals) || '%，而非 ' || format('{:.{}f}', cl.percent, cl.decimals) || '%'
         || CASE WHEN v.blank THEN '（含空白单元格，按0计）' ELSE '' END AS message,
       to_json({'sentence': cl.sentence, 'offset': cl."offset", 'quantity': cl.quantity, 'claimed': cl.value,
                'percent': cl.percent, 'base': cl.base, 'cells': v.operands})::VARCHAR AS operands,
       to_json(list_transform(v.operands, o -> {'table_id': o.table_id, 'row_key': o.row_key, 'col_key': o.col_key}))::VARCHAR AS cells,
       coalesce(v.blank, false) AS blank_involved
FROM claim cl JOIN verdict v USING (claim_id)
WHERE NOT v.fits AND v.texts = 0 AND NOT v.zero
