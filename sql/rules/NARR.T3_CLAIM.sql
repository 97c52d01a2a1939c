-- id: NARR.T3_CLAIM
-- severity: warning
-- title_zh: 正文所述申请数与表三不符
-- title_en: A T3 count stated in the prose differs from the table
-- scope: report
-- needs: claims_t3
-- doc: a count stated for a T3 quantity — received (本年新收/共收到/受理), carried over, answered (办结/答复), carried forward, granted, partial, denied, unable, rejected, other, or a named sub-row — differs from the table (or its group sum); 顺延/结转到下年度 is 四、结转下年度继续办理
-- wording: 正文称 | 表中为
--
-- A claim about T3 (quantity t3.<row>[@<col>], see extractors/claims/vocabulary.ts) against the
-- cells it names, in every reading the wording allows; flagged only when no reading matches:
--   t3.received        收到/受理N件: new_received, or new_received + carried_over
--   t3.group.<g>       a group: the sum of its items, or the subtotal the report prints
--   t3.granted_partial granted + partial
--   t3.<row>           that row;  @<col>: that applicant column (legal = the five 法人 columns)
-- A blank 总计 whose applicant columns are printed is their sum (t3_cells_totals_from_parts, _10_macros.sql).
-- Claims with two readings of the words (a|b) are never flagged. A text cell makes the claim
-- not assessable (VAL.NOT_A_NUMBER reports it). expected = the table (first reading), actual = the prose.
-- operands: {"sentence", "offset", "quantity", "claimed", "cells": [{table_id,row_key,col_key,value,raw,kind}]}.
WITH claim AS (
  SELECT row_number() OVER (ORDER BY report_id, "offset", quantity, value) AS claim_id,
         report_id, quantity, value, sentence, "offset",
         split_part(substr(quantity, 4), '@', 1) AS q,
         coalesce(nullif(split_part(quantity, '@', 2), ''), 'total') AS col
  FROM claims
  WHERE quantity LIKE 't3.%' AND quantity NOT LIKE '%|%' AND value IS NOT NULL
),
t3_rows AS (
  SELECT key, any_value(grp) AS grp, bool_or(subtotal) AS subtotal, min(ord) AS ord
  FROM rule_keys WHERE table_id = 'T3' AND axis = 'row' GROUP BY key
),
-- Which rows a quantity adds up, per reading.
reading(q, reading, row_key) AS (
  SELECT key, 1, key FROM t3_rows WHERE NOT subtotal
  UNION ALL SELECT 'received', 1, 'new_received'
  UNION ALL SELECT 'received', 2, 'new_received'
  UNION ALL SELECT 'received', 2, 'carried_over'
  UNION ALL SELECT 'granted_partial', 1, 'granted'
  UNION ALL SELECT 'granted_partial', 1, 'partial'
  UNION ALL SELECT 'group.' || grp, 1, key FROM t3_rows WHERE grp IN ('denied', 'unable', 'rejected', 'other') AND NOT subtotal
  UNION ALL SELECT 'group.' || grp, 2, key FROM t3_rows WHERE grp IN ('denied', 'unable', 'rejected', 'other') AND subtotal
),
columns(col, col_key) AS (
  SELECT key, key FROM rule_keys WHERE table_id = 'T3' AND axis = 'col' AND template = '*'
  UNION ALL SELECT 'legal', unnest(['commercial', 'research', 'social_org', 'legal_service', 'other_org'])
),
matched AS (  -- the cells each reading of each claim names
  -- a blank 总计 whose applicant columns are printed counts as their sum (kind 'parts')
  SELECT cl.claim_id, r.reading, t.ord, c.row_key, c.col_key, c.value, c.raw, c.kind
  FROM claim cl
  JOIN reading r ON r.q = cl.q
  JOIN t3_rows t ON t.key = r.row_key
  JOIN columns k ON k.col = cl.col
  JOIN t3_cells_totals_from_parts() c ON c.report_id = cl.report_id AND c.row_key = r.row_key AND c.col_key = k.col_key
),
compared AS (
  SELECT claim_id, reading,
         sum(value) AS total,
         count(*) FILTER (WHERE value IS NULL) AS texts,
         bool_or(kind = 'blank') AS blank,
         bool_or(kind = 'parts') AS from_parts
  FROM matched
  GROUP BY claim_id, reading
),
verdict AS (
  SELECT claim_id,
         bool_or(total = cl.value) AS matches,
         sum(texts) AS texts,
         arg_min(total, reading) AS expected,
         max(total) FILTER (WHERE reading = 2) AS second,
         bool_or(blank) AS blank,
         bool_or(from_parts) AS from_parts
  FROM compared JOIN claim cl USING (claim_id)
  GROUP BY claim_id
),
-- The cells of the claims that fail, listed (for those only: a list per claim of every report
-- held 256 MB at 10,000 reports).
failing_readings AS (
  SELECT m.claim_id, m.reading,
         sorted_by(list({'k': {'ord': m.ord, 'col_key': m.col_key},
                         'v': {'table_id': 'T3', 'row_key': m.row_key, 'col_key': m.col_key, 'value': m.value, 'raw': m.raw, 'kind': m.kind}})) AS operands
  FROM matched m SEMI JOIN verdict v ON v.claim_id = m.claim_id AND NOT v.matches AND v.texts = 0
  GROUP BY m.claim_id, m.reading
),
failing_operands AS (
  SELECT claim_id,
         arg_min(operands, reading) AS operands,
         -- sorted after aggregating, not with ORDER BY inside it (a sort buffer per claim)
         list_distinct(flatten(list_transform(list_sort(list({'k': reading, 'v': operands})), x -> x.v))) AS all_operands
  FROM failing_readings
  GROUP BY claim_id
),
labelled AS (
  SELECT cl.*, v.*, o.operands, o.all_operands,
         CASE
           WHEN cl.q = 'received' THEN '一、本年新收政府信息公开申请数量'
           WHEN cl.q = 'granted_partial' THEN '（一）予以公开与（二）部分公开之和'
           WHEN cl.q LIKE 'group.%' THEN (SELECT replace(label, '（小计）', '') FROM rule_keys
                                          WHERE table_id = 'T3' AND axis = 'row' AND template = '*' AND subtotal AND grp = substr(cl.q, 7)) || '各项之和'
           ELSE (SELECT label FROM rule_keys k JOIN reports rp ON rp.report_id = cl.report_id
                 WHERE k.table_id = 'T3' AND k.axis = 'row' AND k.key = cl.q AND k.template = coalesce(rp.template, '*') LIMIT 1)
         END AS row_label,
         CASE WHEN cl.col = 'legal' THEN '法人或其他组织'
              ELSE (SELECT label FROM rule_keys WHERE table_id = 'T3' AND axis = 'col' AND template = '*' AND key = cl.col) END AS col_label,
         -- The clause of the sentence that holds the number; the sentence when that is not one clause.
         -- (the number as a whole: the run of digits and dots before the unit; one pattern for all rows, compiled once)
         list_filter(string_split_regex(cl.sentence, '[，,；;、：:（）()。！？]'),
                     x -> list_contains(regexp_extract_all(x, '([0-9.]+)(件|条|宗|起|份|例)', 1), CAST(CAST(cl.value AS BIGINT) AS VARCHAR))) AS clauses
  FROM claim cl JOIN verdict v USING (claim_id) JOIN failing_operands o USING (claim_id)
  WHERE NOT v.matches AND v.texts = 0
)
SELECT report_id,
       NULL::VARCHAR AS related_report_id,
       'T3' AS table_id,
       operands[1].row_key AS row_key,
       CASE WHEN col = 'legal' THEN NULL ELSE col END AS col_key,
       expected,
       value AS actual,
       '正文称"' || CASE WHEN len(clauses) = 1 THEN clauses[1] ELSE sentence END || '"，表三' || row_label || '（' || col_label || '）为 '
         || CAST(CAST(expected AS BIGINT) AS VARCHAR)
         || CASE WHEN second IS NOT NULL AND second <> expected THEN '，加上年结转为 ' || CAST(CAST(second AS BIGINT) AS VARCHAR) ELSE '' END
         || CASE WHEN from_parts THEN '（总计留空，按各申请人之和计）' ELSE '' END
         || CASE WHEN blank THEN '（含空白单元格，按0计）' ELSE '' END AS message,
       to_json({'sentence': sentence, 'offset': "offset", 'quantity': quantity, 'claimed': value, 'cells': all_operands})::VARCHAR AS operands,
       to_json(list_transform(all_operands, o -> {'table_id': o.table_id, 'row_key': o.row_key, 'col_key': o.col_key}))::VARCHAR AS cells,
       coalesce(blank, false) AS blank_involved
FROM labelled
