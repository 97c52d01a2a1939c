-- id: NARR.T4_CLAIM
-- severity: warning
-- title_zh: 正文所述行政复议、行政诉讼数与表四不符
-- title_en: A count of 行政复议 / 行政诉讼 stated in the prose differs from T4
-- scope: report
-- needs: claims_t4
-- doc: counts of 行政复议 / 行政诉讼 stated in prose differ from T4 (行政诉讼 = direct + after review)
-- wording: 正文称 | 表中为
--
-- Claims t4.<review|litigation>.<total|upheld|corrected|pending>: review is the 行政复议 block,
-- litigation the sum of 未经复议直接起诉 and 复议后起诉. expected = the table, actual = the prose.
-- operands: {"sentence", "offset", "quantity", "claimed", "cells": [{table_id,row_key,col_key,value,raw,kind}]}.
WITH claim AS (
  SELECT row_number() OVER (ORDER BY report_id, "offset", quantity, value) AS claim_id,
         report_id, quantity, value, sentence, "offset",
         split_part(quantity, '.', 2) AS block, split_part(quantity, '.', 3) AS col
  FROM claims
  WHERE quantity LIKE 't4.%' AND value IS NOT NULL
),
block_rows(block, row_key) AS (
  VALUES ('review', 'review'), ('litigation', 'litigation_direct'), ('litigation', 'litigation_after_review')
),
compared AS (
  SELECT cl.claim_id, sum(c.value) AS total, count(*) FILTER (WHERE c.value IS NULL) AS texts, bool_or(c.kind = 'blank') AS blank,
         -- sorted_by (_10_macros.sql), not ORDER BY inside the aggregate (a sort buffer per claim); row_key descending
         list_reverse(sorted_by(list({'k': c.row_key,
                                      'v': {'table_id': 'T4', 'row_key': c.row_key, 'col_key': c.col_key, 'value': c.value, 'raw': c.raw, 'kind': c.kind}}))) AS operands
  FROM claim cl
  JOIN block_rows b ON b.block = cl.block
  JOIN cells c ON c.report_id = cl.report_id AND c.table_id = 'T4' AND c.row_key = b.row_key AND c.col_key = cl.col
  GROUP BY cl.claim_id
),
flagged AS (
  SELECT cl.*, v.total, v.blank, v.operands,
         -- (the number as a whole: the run of digits and dots before the unit; one pattern for all rows, compiled once)
         list_filter(string_split_regex(cl.sentence, '[，,；;、：:（）()。！？]'),
                     x -> list_contains(regexp_extract_all(x, '([0-9.]+)[件宗起例]', 1), CAST(CAST(cl.value AS BIGINT) AS VARCHAR))) AS clauses
  FROM claim cl JOIN compared v USING (claim_id)
  WHERE v.texts = 0 AND v.total <> cl.value
)
SELECT report_id,
       NULL::VARCHAR AS related_report_id,
       'T4' AS table_id,
       CASE block WHEN 'review' THEN 'review' ELSE 'litigation_direct' END AS row_key,
       col AS col_key,
       total AS expected,
       value AS actual,
       '正文称"' || CASE WHEN len(clauses) = 1 THEN clauses[1] ELSE sentence END || '"，表四'
         || CASE block WHEN 'review' THEN '行政复议' ELSE '行政诉讼（直接起诉与复议后起诉之和）' END
         || '（' || (SELECT label FROM rule_keys WHERE table_id = 'T4' AND axis = 'col' AND template = '*' AND key = col)
         || '）为 ' || CAST(CAST(total AS BIGINT) AS VARCHAR)
         || CASE WHEN blank THEN '（含空白单元格，按0计）' ELSE '' END AS message,
       to_json({'sentence': sentence, 'offset': "offset", 'quantity': quantity, 'claimed': value, 'cells': operands})::VARCHAR AS operands,
       to_json(list_transform(operands, o -> {'table_id': o.table_id, 'row_key': o.row_key, 'col_key': o.col_key}))::VARCHAR AS cells,
       coalesce(blank, false) AS blank_involved
FROM flagged
