-- Macros shared by the rule queries of sql/rules/ (files starting with `_` run first, in name
-- order: these first; _20_cells.sql says what the others hold). They read no table but the
-- warehouse's own (`cells`), so a rule needs only them and the tables it reads (the NARR.* tests
-- run those rules with this file alone).

-- ------------------------------------------------------------------ formatting helpers

-- A number as an auditor reads it: 12 rather than 12.0; float noise of sums rounded away.
CREATE OR REPLACE TEMP MACRO fmt_num(x) AS
  CASE WHEN x IS NULL THEN '?'
       WHEN x = trunc(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR)
       ELSE CAST(round(x, 6) AS VARCHAR) END;

CREATE OR REPLACE TEMP MACRO blank_note(involved) AS
  CASE WHEN involved THEN '（含空白单元格，按0计）' ELSE '' END;

-- The tables as an auditor names them.
CREATE OR REPLACE TEMP MACRO table_zh(t) AS
  CASE t WHEN 'T2' THEN '主动公开政府信息情况表' WHEN 'T3' THEN '收到和处理政府信息公开申请情况表'
         WHEN 'T4' THEN '政府信息公开行政复议、行政诉讼情况表' ELSE t END;

-- The parts of a sum as printed: non-zero terms only ("予以公开4 + 其他处理1"), saying when
-- the others are 0.
CREATE OR REPLACE TEMP MACRO sum_terms(terms, n_zero) AS
  CASE WHEN terms IS NULL THEN '各项均为0' WHEN n_zero > 0 THEN terms || '（其余为0）' ELSE terms END;

-- A failing sum's message, stated neutrally (which cell is wrong, the total or a part, is not
-- knowable): "（七）总计（自然人） 印为 8，各项之和为 予以公开4 + … = 9". A blank result is the
-- publisher's blank, and says so: "…的总计留空（总计列在 12 行留空）；按各申请人之和应为 … = 9".
-- what: the total's label; parts: what the parts are (各项, 各申请人); blank_where: the blank
-- totals of the table in words, N standing for how many ('总计列在 N 行留空').
CREATE OR REPLACE TEMP MACRO sum_message(what, parts, terms, n_zero, expected, actual, blank_involved, total_blank, blank_totals, blank_parts, blank_where) AS
  CASE WHEN total_blank
       THEN format('{}留空{}；按{}之和应为 {} = {}', what,
                   CASE WHEN blank_totals > 1 THEN '（' || replace(blank_where, 'N', CAST(blank_totals AS VARCHAR)) || '）' ELSE '' END,
                   parts, sum_terms(terms, n_zero), fmt_num(expected))
       ELSE format('{} 印为 {}，{}之和为 {} = {}{}', what, fmt_num(actual), parts, sum_terms(terms, n_zero), fmt_num(expected),
                   CASE WHEN blank_parts > 0 THEN format('（其中 {} 项留空，按0计）', blank_parts)
                        WHEN blank_involved THEN blank_note(true) ELSE '' END)
  END;

-- One operand of a finding's arithmetic, and one cell it involves (JSON through to_json).
CREATE OR REPLACE TEMP MACRO operand(t, r, c, v, rw, k) AS
  {'table_id': t, 'row_key': r, 'col_key': c, 'value': v, 'raw': rw, 'kind': k};
CREATE OR REPLACE TEMP MACRO cell_ref(t, r, c) AS {'table_id': t, 'row_key': r, 'col_key': c};
-- Cross-report rules name the report of each cell.
CREATE OR REPLACE TEMP MACRO report_operand(rep, t, r, c, v, rw, k) AS
  {'report_id': rep, 'table_id': t, 'row_key': r, 'col_key': c, 'value': v, 'raw': rw, 'kind': k};
CREATE OR REPLACE TEMP MACRO report_cell_ref(rep, t, r, c) AS {'report_id': rep, 'table_id': t, 'row_key': r, 'col_key': c};

-- A list aggregated as {'k': sort key, 'v': value} pairs, sorted by key, values only. Used
-- instead of ORDER BY inside aggregates, for which DuckDB keeps a sort buffer per group: with one
-- group per report that takes memory in proportion to the warehouse.
CREATE OR REPLACE TEMP MACRO sorted_by(pairs) AS list_transform(list_sort(pairs), x -> x.v);

-- The cells of a group as a JSON array of cell_ref()s in template order: what
-- to_json(sorted_by(list({'k': …, 'v': cell_ref(…)}))) gives, for long lists. A list aggregate
-- holds about 500 bytes per cell until every group is done; this, one short string per cell.
-- (t must be a grouping column.)
CREATE OR REPLACE TEMP MACRO cell_refs_json(t, r, c, row_ord, col_ord) AS
  to_json(list_transform(
    list_sort(string_split(string_agg(concat_ws(chr(1), lpad(coalesce(row_ord, 9999)::VARCHAR, 4, '0'), r, lpad(coalesce(col_ord, 9999)::VARCHAR, 4, '0'), c), chr(2)), chr(2))),
    x -> cell_ref(t, split_part(x, chr(1), 2), split_part(x, chr(1), 4))))::VARCHAR;

-- The step of the last printed decimal of a money cell, in 万元: '23466.49' → 0.01;
-- '251000元' → 0.0001 (one yuan). Money compares within half of the coarser step.
CREATE OR REPLACE TEMP MACRO printed_step(rw, unit) AS
  power(10, -length(coalesce(regexp_extract(translate(coalesce(rw, ''), '０１２３４５６７８９．', '0123456789.'), '\.(\d+)', 1), '')))
  / CASE WHEN unit = '元' THEN 10000 ELSE 1 END;

-- ------------------------------------------------------------------ blank totals

-- T3 rows whose 总计 is blank while their applicant columns print a number other than 0: the
-- sum of those columns, which the prose checks use instead of the blank (read as 0, it made
-- every sentence about the row disagree with the table). A text cell among them: no row here.
CREATE OR REPLACE TEMP MACRO t3_totals_from_parts() AS TABLE
  SELECT t.report_id, t.row_key, sum(p.value) AS value
  FROM cells t
  JOIN cells p ON p.report_id = t.report_id AND p.table_id = 'T3' AND p.row_key = t.row_key AND p.col_key <> 'total'
  WHERE t.table_id = 'T3' AND t.col_key = 'total' AND t.kind = 'blank'
  GROUP BY t.report_id, t.row_key
  HAVING NOT bool_or(p.value IS NULL) AND sum(p.value) <> 0;

-- The T3 cells as the prose checks read them: a blank 总计 of t3_totals_from_parts() is the sum of
-- its applicant columns, of kind 'parts' (every other cell as it is).
CREATE OR REPLACE TEMP MACRO t3_cells_totals_from_parts() AS TABLE
  SELECT c.report_id, c.table_id, c.row_key, c.col_key, coalesce(fp.value, c.value) AS value, c.raw,
         CASE WHEN fp.value IS NOT NULL THEN 'parts' ELSE c.kind END AS kind
  FROM cells c
  LEFT JOIN t3_totals_from_parts() fp ON fp.report_id = c.report_id AND fp.row_key = c.row_key AND c.col_key = 'total'
  WHERE c.table_id = 'T3';
