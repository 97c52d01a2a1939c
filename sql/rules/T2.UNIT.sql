-- id: T2.UNIT
-- severity: warning
-- title_zh: 金额单位不是万元，或万元数值大得不合理
-- title_en: A money cell printed in another unit than 万元, or a 万元 value ≥ 10^6 (likely yuan)
-- scope: report
-- needs: has_t2
-- doc: a money cell printed with a unit other than 万元, or a 万元 value ≥ 10⁶ (likely yuan in a 万元 column)
-- wording: 印出 | 折合万元
-- wording_difference: no
-- cells.unit = '元' when the cell or its column header was printed in 元 (the extractor has
-- already converted the value to 万元). expected: the amount in 万元 as it should be;
-- actual: the number as printed.
SELECT report_id,
       NULL AS related_report_id,
       table_id,
       row_key,
       col_key,
       CASE WHEN unit = '元' THEN value ELSE value / 10000 END AS expected,
       CASE WHEN unit = '元' THEN round(value * 10000, 4) ELSE value END AS actual,  -- yuan: at most fen
       CASE WHEN unit = '元'
            THEN format('{}（{}）印为“{}”，以元而非万元为单位；已按 {} 万元计', row_label, col_label, raw, fmt_num(value))
            ELSE format('{}（{}）为 {} 万元（即 {} 亿元），很可能是把元填在了万元栏中；若是元，应为 {} 万元',
                        row_label, col_label, raw, fmt_num(round(value / 10000, 4)), fmt_num(value / 10000))
       END AS message,
       to_json([operand(table_id, row_key, col_key, value, raw, kind)]) AS operands,
       to_json([cell_ref(table_id, row_key, col_key)]) AS cells,
       false AS blank_involved
FROM rule_cells
WHERE table_id = 'T2' AND col_key = 'amount'  -- the money column (MONEY_COLUMNS in domain/template.ts)
  AND kind <> 'derived'
  AND (unit = '元' OR (unit IS NULL AND value >= 1e6))
