-- id: NARR.PARTS_SUM
-- severity: warning
-- title_zh: 正文"共N…其中…"各项之和与总数不符
-- title_en: The parts listed after 共N…其中 do not add up to N
-- scope: report
-- needs: claims_parts
-- doc: "共N…，其中A…、B…、C…" where the parts do not add up to N
-- wording: 正文所列各项之和为 | 正文所称总数为
--
-- Claims of quantity 'parts' (extractors/claims/extract.ts): value = the stated total N,
-- base = the parts, "970+662+343" for a list that says it is complete (a catch-all item such
-- as 其他途径…, or shares adding up to 100%), "152+197+…" for one that may leave items out.
-- A closed list must add up to N; an open one must not exceed it.
-- No table cell is involved: expected = the stated total, actual = the sum of the parts.
-- operands: {"sentence", "offset", "total", "parts": [..], "closed"}.
WITH list AS (
  SELECT report_id, value, sentence, "offset",
         NOT ends_with(base, '+…') AS closed,
         list_transform(string_split(replace(base, '+…', ''), '+'), x -> CAST(x AS DOUBLE)) AS parts
  FROM claims
  WHERE quantity = 'parts' AND value IS NOT NULL AND base IS NOT NULL
),
summed AS (
  SELECT *, list_sum(parts) AS total FROM list
),
failing AS (
  SELECT *,
         -- the clause that states the total, for the message (only for the lists that fail: a regular expression per sentence)
         -- (the number as a whole: the run of digits and dots before the unit; one pattern for all rows, compiled once)
         list_filter(string_split_regex(sentence, '[，,；;、：:（）()。！？]'),
                     x -> list_contains(regexp_extract_all(x, '([0-9.]+)[件条宗起个项份次通篇期例]', 1), CAST(CAST(value AS BIGINT) AS VARCHAR))) AS clauses
  FROM summed
  WHERE total > value OR (closed AND total <> value)
)
SELECT report_id,
       NULL::VARCHAR AS related_report_id,
       NULL::VARCHAR AS table_id,
       NULL::VARCHAR AS row_key,
       NULL::VARCHAR AS col_key,
       value AS expected,
       total AS actual,
       '正文称"' || CASE WHEN len(clauses) >= 1 THEN clauses[1] ELSE sentence END || '"，其后所列各项之和为 '
         || array_to_string(list_transform(parts, x -> CAST(CAST(x AS BIGINT) AS VARCHAR)), '+') || ' = ' || CAST(CAST(total AS BIGINT) AS VARCHAR)
         || CASE WHEN total > value THEN '，超过总数 ' ELSE '，不等于总数 ' END || CAST(CAST(value AS BIGINT) AS VARCHAR) AS message,
       to_json({'sentence': sentence, 'offset': "offset", 'total': value, 'parts': parts, 'closed': closed})::VARCHAR AS operands,
       '[]' AS cells,
       false AS blank_involved
FROM failing
