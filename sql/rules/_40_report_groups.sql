-- One report per agency and year (see _20_cells.sql for what the `_` files hold).

-- ------------------------------------------------------------------ one report per agency and year

-- The agency a report speaks for: the CSV agency its name (or a former name) is listed as,
-- else its own normalised name.
CREATE OR REPLACE TABLE rules_work.report_agency AS
SELECT r.report_id, coalesce(a.agency_norm, r.agency_norm) AS agency_key
FROM rule_reports r LEFT JOIN agency_aliases a ON a.alias_norm = r.agency_norm;

-- Documents of one agency and year; the representative is the document first seen
-- (earliest documents.first_seen of its bytes, ties broken by report_id). Cross-report rules
-- use representatives only (META.DUPLICATE speaks for the others).
CREATE OR REPLACE TABLE rules_work.report_groups AS
WITH first_seen AS (
  SELECT sha256, min(first_seen) AS first_seen FROM documents GROUP BY sha256
), ranked AS (
  SELECT r.report_id, ra.agency_key, r.agency, r.year, r.template, r.title, r.source, f.first_seen,
         row_number() OVER (PARTITION BY ra.agency_key, r.year ORDER BY f.first_seen NULLS LAST, r.report_id) AS rank
  FROM rule_reports r
  JOIN report_agency ra USING (report_id)
  LEFT JOIN first_seen f ON f.sha256 = r.sha256
  WHERE ra.agency_key IS NOT NULL AND r.year IS NOT NULL
)
SELECT *, rank = 1 AS is_rep,
       first_value(report_id) OVER (PARTITION BY agency_key, year ORDER BY rank) AS rep_id
FROM ranked;

CREATE OR REPLACE TABLE rules_work.reps AS
SELECT report_id, agency_key, agency, year, template, title, source, first_seen FROM report_groups WHERE is_rep;

-- Consecutive years of one agency (representatives).
CREATE OR REPLACE TABLE rules_work.year_pairs AS
SELECT cur.report_id, prev.report_id AS prev_report_id, cur.agency_key, cur.agency, cur.year,
       cur.template, prev.template AS prev_template
FROM reps cur JOIN reps prev ON prev.agency_key = cur.agency_key AND prev.year = cur.year - 1;
