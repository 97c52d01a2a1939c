-- Table signatures for identical contents (see _20_cells.sql for what the `_` files hold).

-- T3 and T4 as comparable contents across versions: （六） collapsed into one row `other`
-- (2021's three rows summed), printed subtotals left out. A text cell makes the value NULL.
CREATE OR REPLACE TEMP VIEW canonical_cells AS  -- read once, by table_signatures: not written out
WITH wanted AS (
  SELECT report_id, table_id,
         CASE WHEN table_id = 'T3' AND grp = 'other' THEN 'other' ELSE row_key END AS row_key,
         col_key, value
  FROM rule_cells
  WHERE table_id IN ('T3', 'T4') AND NOT is_subtotal
    AND report_id IN (SELECT report_id FROM reps)  -- only cross-report rules use it
)
-- Only the collapsed rows are aggregated (an aggregate over every cell took 256 MB at 10,000 reports).
SELECT * FROM wanted WHERE row_key <> 'other' OR table_id <> 'T3'
UNION ALL
SELECT report_id, table_id, row_key, col_key, CASE WHEN bool_or(value IS NULL) THEN NULL ELSE sum(value) END
FROM wanted WHERE row_key = 'other' AND table_id = 'T3'
GROUP BY ALL;

-- One signature per table, for "identical contents" (XY.COPY, XA.COPY). `independent_nonzero`
-- counts non-zero cells that are not totals (totals repeat their parts: one request granted
-- makes six non-zero T3 cells but only two independent ones).
-- scope: report
CREATE OR REPLACE TABLE rules_work.table_signatures AS
SELECT report_id, table_id,
       -- an order-free digest (the sum of the cells' hashes, as report_documents does): a list of
       -- every cell per table held 250 MB at 10,000 reports
       md5(CAST(sum(CAST(hash(row_key || '/' || col_key || '=' || fmt_num(value)) AS HUGEINT)) AS VARCHAR)) AS signature,
       count(*) AS n_cells,
       count(*) FILTER (WHERE value <> 0 AND col_key <> 'total' AND row_key <> 'total_processed') AS independent_nonzero
FROM canonical_cells
GROUP BY report_id, table_id
HAVING NOT bool_or(value IS NULL);
