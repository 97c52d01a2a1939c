-- id: NARR.T2_CLAIM
-- severity: info
-- title_zh: 正文所述规章、规范性文件数与表二不符
-- title_en: A count of 规章 / 规范性文件 stated in the prose differs from T2
-- scope: report
-- needs: claims_t2
-- doc: counts of 规章 / 规范性文件 stated in prose differ from T2
-- wording: 正文称 | 表中为
--
-- Claims t2.<regulations|normative_docs>.<col>: the extractor names the column by the verb
-- (现行有效 → in_force, 废止 → repealed, 制发/印发 → issued, 制作/制定 → made, 新公开 → published);
-- a column the report's template does not have (制发 in a 2019 report) finds no cell and is
-- not checked. expected = the table, actual = the prose.
-- operands: {"sentence", "offset", "quantity", "claimed", "cells": [{table_id,row_key,col_key,value,raw,kind}]}.
WITH claim AS (
  SELECT report_id, quantity, value, sentence, "offset",
         split_part(quantity, '.', 2) AS row_key, split_part(quantity, '.', 3) AS col_key
  FROM claims
  WHERE quantity LIKE 't2.%' AND value IS NOT NULL
),
flagged AS (
  SELECT cl.*, c.value AS cell_value, c.raw, c.kind, rp.template,
         -- (the number as a whole: the run of digits and dots before the unit; one pattern for all rows, compiled once)
         list_filter(string_split_regex(cl.sentence, '[，,；;、：:（）()。！？]'),
                     x -> list_contains(regexp_extract_all(x, '([0-9.]+)[件份个]', 1), CAST(CAST(cl.value AS BIGINT) AS VARCHAR))) AS clauses
  FROM claim cl
  JOIN cells c ON c.report_id = cl.report_id AND c.table_id = 'T2' AND c.row_key = cl.row_key AND c.col_key = cl.col_key
  LEFT JOIN reports rp ON rp.report_id = cl.report_id
  WHERE c.value IS NOT NULL AND c.value <> cl.value
)
SELECT report_id,
       NULL::VARCHAR AS related_report_id,
       'T2' AS table_id,
       row_key,
       col_key,
       cell_value AS expected,
       value AS actual,
       '正文称"' || CASE WHEN len(clauses) = 1 THEN clauses[1] ELSE sentence END || '"，表二'
         || coalesce((SELECT label FROM rule_keys k WHERE k.table_id = 'T2' AND k.axis = 'row' AND k.key = f.row_key AND k.template = coalesce(f.template, '*')), row_key)
         || '（' || coalesce((SELECT label FROM rule_keys k WHERE k.table_id = 'T2' AND k.axis = 'col' AND k.key = f.col_key AND k.template = coalesce(f.template, '*')), col_key)
         || '）为 ' || CAST(CAST(cell_value AS BIGINT) AS VARCHAR)
         || CASE WHEN kind = 'blank' THEN '（含空白单元格，按0计）' ELSE '' END AS message,
       to_json({'sentence': sentence, 'offset': "offset", 'quantity': quantity, 'claimed': value,
                'cells': [{'table_id': 'T2', 'row_key': row_key, 'col_key': col_key, 'value': cell_value, 'raw': raw, 'kind': kind}]})::VARCHAR AS operands,
       to_json([{'table_id': 'T2', 'row_key': row_key, 'col_key': col_key}])::VARCHAR AS cells,
       kind = 'blank' AS blank_involved
FROM flagged f
