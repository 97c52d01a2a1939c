-- Views for researchers, over the tables of schema.sql. Idempotent (CREATE OR REPLACE):
-- run after schema.sql every time the warehouse is opened or the outputs are written.
--
-- One report, several documents. The same report often arrives as several documents (the web
-- page and its DOCX attachment; the seed in three formats). Documents of the same agency
-- (agency_norm) and year whose printed numbers are identical are ONE report: report_documents maps
-- every document to its group, and the table views (t2, t3, t4, report_metrics) hold only the
-- group's representative document, so a report is never counted twice.
-- Documents of the same agency and year with DIFFERENT numbers (a re-publication, or a page and
-- an attachment that disagree: META.DUPLICATE) are different reports and all appear;
-- `is_primary` marks the one first seen (the one cross-report rules use) and
-- `versions_in_year` says how many different versions the agency published for that year.
-- For one row per agency and year: WHERE is_primary.

-- Every document (reports row) with the report it belongs to.
--   group_id          report_id of the report's representative: its document first seen
--                     (earliest documents.first_seen of its bytes, ties broken by report_id,
--                     as the cross-report rules choose)
--   is_representative this document is its report's representative
--   n_sources         documents of the report (same agency, year and numbers)
--   is_primary        this report holds the agency-year's document first seen (the one the
--                     cross-report rules use when an agency published different numbers)
--   versions_in_year  reports (different sets of numbers) of this agency and year
-- (Named report_documents: the rule runner keeps a temp view called report_groups.)
CREATE OR REPLACE VIEW report_documents AS
WITH signature AS (
  -- the printed numbers (derived, unprinted subtotals left out; text cells by their text)
  SELECT report_id,
         -- an order-free digest (sum of the cells' hashes): ORDER BY inside a per-report
         -- aggregate would keep a sort buffer per report, memory in proportion to the warehouse
         md5(CAST(sum(CAST(hash(table_id || '|' || row_key || '|' || col_key || '|' ||
             coalesce(CAST(value AS VARCHAR), 'text:' || coalesce(raw, ''))) AS HUGEINT)) AS VARCHAR)) AS cells_signature
  FROM cells
  WHERE kind <> 'derived'
  GROUP BY report_id
),
first_seen AS (
  SELECT sha256, min(first_seen) AS first_seen FROM documents GROUP BY sha256
),
keyed AS (
  SELECT r.report_id, r.agency_norm, r.year, s.cells_signature, f.first_seen,
         CASE WHEN r.status <> 'failed' AND r.agency_norm IS NOT NULL AND r.year IS NOT NULL AND s.cells_signature IS NOT NULL
              THEN r.agency_norm || '|' || r.year || '|' || s.cells_signature
              ELSE r.report_id END AS group_key,
         r.agency_norm IS NOT NULL AND r.year IS NOT NULL AND r.status <> 'failed' AS dated
  FROM reports r
  LEFT JOIN signature s USING (report_id)
  LEFT JOIN first_seen f USING (sha256)
),
grouped AS (
  SELECT *,
         first_value(report_id) OVER (PARTITION BY group_key ORDER BY first_seen NULLS LAST, report_id) AS group_id,
         CAST(count(*) OVER (PARTITION BY group_key) AS INTEGER) AS n_sources,
         CASE WHEN dated THEN first_value(group_key) OVER (PARTITION BY dated, agency_norm, year ORDER BY first_seen NULLS LAST, report_id)
              ELSE group_key END AS primary_key,
         CASE WHEN dated THEN CAST(count(DISTINCT group_key) OVER (PARTITION BY dated, agency_norm, year) AS INTEGER)
              ELSE 1 END AS versions_in_year
  FROM keyed
)
SELECT report_id, group_id, report_id = group_id AS is_representative, n_sources,
       group_key = primary_key AS is_primary, versions_in_year, agency_norm, year, cells_signature
FROM grouped;

-- T3 收到和处理政府信息公开申请情况: one row per report and T3 row, the seven applicant columns.
-- row_order follows the template (template_keys); printed subtotal rows (denied_subtotal, …) have none.
CREATE OR REPLACE VIEW t3 AS
SELECT r.report_id, r.agency, r.agency_norm, r.year, r.template, g.is_primary, g.versions_in_year, g.n_sources,
       c.row_key, coalesce(k.row_label, c.row_key) AS row_label, k.row_order,
       max(c.value) FILTER (WHERE c.col_key = 'natural_person') AS natural_person,  -- 自然人
       max(c.value) FILTER (WHERE c.col_key = 'commercial')     AS commercial,      -- 商业企业
       max(c.value) FILTER (WHERE c.col_key = 'research')       AS research,        -- 科研机构
       max(c.value) FILTER (WHERE c.col_key = 'social_org')     AS social_org,      -- 社会公益组织
       max(c.value) FILTER (WHERE c.col_key = 'legal_service')  AS legal_service,   -- 法律服务机构
       max(c.value) FILTER (WHERE c.col_key = 'other_org')      AS other_org,       -- 其他
       max(c.value) FILTER (WHERE c.col_key = 'total')          AS total,           -- 总计
       r.region, r.level                                                                  -- from the agency CSV (NULL: not listed)
FROM cells c
JOIN report_documents g ON g.report_id = c.report_id AND g.is_representative
JOIN reports r ON r.report_id = c.report_id
LEFT JOIN (SELECT DISTINCT template, row_key, row_label, row_order FROM template_keys WHERE table_id = 'T3') k
       ON k.template = r.template AND k.row_key = c.row_key
WHERE c.table_id = 'T3'
GROUP BY ALL;

-- T4 行政复议、行政诉讼: one row per report and block (review, litigation_direct, litigation_after_review).
CREATE OR REPLACE VIEW t4 AS
SELECT r.report_id, r.agency, r.agency_norm, r.year, r.template, g.is_primary, g.versions_in_year, g.n_sources,
       c.row_key AS block,
       max(c.value) FILTER (WHERE c.col_key = 'upheld')    AS upheld,     -- 结果维持
       max(c.value) FILTER (WHERE c.col_key = 'corrected') AS corrected,  -- 结果纠正
       max(c.value) FILTER (WHERE c.col_key = 'other')     AS other,      -- 其他结果
       max(c.value) FILTER (WHERE c.col_key = 'pending')   AS pending,    -- 尚未审结
       max(c.value) FILTER (WHERE c.col_key = 'total')     AS total,      -- 总计
       r.region, r.level                                                         -- from the agency CSV (NULL: not listed)
FROM cells c
JOIN report_documents g ON g.report_id = c.report_id AND g.is_representative
JOIN reports r ON r.report_id = c.report_id
WHERE c.table_id = 'T4'
GROUP BY ALL;

-- T2 主动公开政府信息情况: one row per report and T2 row; the columns of both template versions
-- (a column the row's version does not have is NULL). Sub-rows of 其他对外管理服务事项 are
-- row_key 'other_services:<label>'.
CREATE OR REPLACE VIEW t2 AS
SELECT r.report_id, r.agency, r.agency_norm, r.year, r.template, g.is_primary, g.versions_in_year, g.n_sources,
       c.row_key,
       max(c.value) FILTER (WHERE c.col_key = 'issued')          AS issued,           -- 2021 本年制发件数
       max(c.value) FILTER (WHERE c.col_key = 'repealed')        AS repealed,         -- 2021 本年废止件数
       max(c.value) FILTER (WHERE c.col_key = 'in_force')        AS in_force,         -- 2021 现行有效件数
       max(c.value) FILTER (WHERE c.col_key = 'decisions')       AS decisions,        -- 本年处理决定数量
       max(c.value) FILTER (WHERE c.col_key = 'amount')          AS amount,           -- 万元 (2021 收费金额, 2019 采购总金额)
       max(c.value) FILTER (WHERE c.col_key = 'made')            AS made,             -- 2019 本年新制作数量
       max(c.value) FILTER (WHERE c.col_key = 'published')       AS published,        -- 2019 本年新公开数量
       max(c.value) FILTER (WHERE c.col_key = 'total_published') AS total_published,  -- 2019 对外公开总数量
       max(c.value) FILTER (WHERE c.col_key = 'prev_items')      AS prev_items,       -- 2019 上一年项目数量
       max(c.value) FILTER (WHERE c.col_key = 'change')          AS change,           -- 2019 本年增/减
       max(c.value) FILTER (WHERE c.col_key = 'projects')        AS projects,         -- 2019 采购项目数量
       r.region, r.level                                                                      -- from the agency CSV (NULL: not listed)
FROM cells c
JOIN report_documents g ON g.report_id = c.report_id AND g.is_representative
JOIN reports r ON r.report_id = c.report_id
WHERE c.table_id = 'T2'
GROUP BY ALL;

-- The T3 and T4 totals of report_metrics, one row per report with T3 or T4 cells (every report,
-- not only each group's representative: report_metrics keeps those). From the cells alone, so a
-- report's row changes only when the report is loaded again: the outputs keep a copy and compute
-- the rows of the reports loaded since (pipeline/outputs/site/materialised-views.ts).
CREATE OR REPLACE VIEW report_cell_totals AS
WITH t3_row_totals AS (
  SELECT c.report_id, c.row_key,
         max(c.value) FILTER (WHERE c.col_key = 'total') AS printed,
         coalesce(bool_or(c.col_key = 'total' AND c.kind <> 'blank'), false) AS total_printed,
         sum(c.value) FILTER (WHERE c.col_key <> 'total') AS parts,
         coalesce(bool_or(c.col_key <> 'total' AND c.value IS NULL), false) AS parts_text,
         max(c.value) FILTER (WHERE c.col_key = 'natural_person') AS natural_person
  FROM cells c
  WHERE c.table_id = 'T3'
  GROUP BY c.report_id, c.row_key
),
t3_rows AS (
  SELECT report_id, row_key, natural_person,
         NOT total_printed AND NOT parts_text AND coalesce(parts, 0) <> 0 AS from_parts,
         CASE WHEN NOT total_printed AND NOT parts_text AND coalesce(parts, 0) <> 0 THEN parts ELSE printed END AS total
  FROM t3_row_totals
),
t3_totals AS (
  SELECT report_id,
         max(total) FILTER (WHERE row_key = 'new_received')      AS requests_received,
         max(total) FILTER (WHERE row_key = 'carried_over')      AS carried_over,
         max(total) FILTER (WHERE row_key = 'total_processed')   AS total_processed,
         max(total) FILTER (WHERE row_key = 'carried_forward')   AS carried_forward,
         max(total) FILTER (WHERE row_key = 'granted')           AS granted,
         max(total) FILTER (WHERE row_key = 'partial')           AS partial,
         sum(total) FILTER (WHERE row_key LIKE 'denied\_%' ESCAPE '\' AND row_key <> 'denied_subtotal')     AS denied,
         sum(total) FILTER (WHERE row_key LIKE 'unable\_%' ESCAPE '\' AND row_key <> 'unable_subtotal')     AS unable,
         sum(total) FILTER (WHERE row_key LIKE 'rejected\_%' ESCAPE '\' AND row_key <> 'rejected_subtotal') AS rejected,
         sum(total) FILTER (WHERE row_key = 'other' OR row_key IN ('other_no_correction', 'other_no_fee', 'other_misc')) AS other_processing,
         sum(natural_person) FILTER (WHERE row_key = 'new_received') AS requests_natural_person,
         bool_or(from_parts) AS totals_from_parts
  FROM t3_rows GROUP BY report_id
),
t4_rows AS (
  SELECT report_id, row_key AS block,
         max(value) FILTER (WHERE col_key = 'corrected') AS corrected,  -- 结果纠正
         max(value) FILTER (WHERE col_key = 'pending')   AS pending,    -- 尚未审结
         max(value) FILTER (WHERE col_key = 'total')     AS total       -- 总计
  FROM cells
  WHERE table_id = 'T4'
  GROUP BY report_id, row_key
),
t4_blocks AS (
  SELECT report_id,
         max(total)     FILTER (WHERE block = 'review') AS review_total,
         max(corrected) FILTER (WHERE block = 'review') AS review_corrected,
         max(pending)   FILTER (WHERE block = 'review') AS review_pending,
         sum(total)     FILTER (WHERE block IN ('litigation_direct', 'litigation_after_review')) AS litigation_total,
         sum(corrected) FILTER (WHERE block IN ('litigation_direct', 'litigation_after_review')) AS litigation_corrected,
         sum(pending)   FILTER (WHERE block IN ('litigation_direct', 'litigation_after_review')) AS litigation_pending
  FROM t4_rows GROUP BY report_id
)
SELECT coalesce(t3_totals.report_id, t4_blocks.report_id) AS report_id,
       t3_totals.* EXCLUDE (report_id),
       t4_blocks.* EXCLUDE (report_id)
FROM t3_totals FULL JOIN t4_blocks ON t4_blocks.report_id = t3_totals.report_id;

-- Rates and totals per report (one row per report group; WHERE is_primary for one per agency-year).
-- A rate is NULL when its denominator is 0 or missing; the rates are defined in the `metrics` table. Counts are the T3 总计 column; where a row's
-- 总计 is blank (or not printed) but its applicant columns print numbers, their sum, and
-- totals_from_parts says so. open_errors: the report's error findings not dismissed by a review
-- (WHERE open_errors = 0 leaves the reports whose numbers disagree out of an aggregate).
CREATE OR REPLACE VIEW report_metrics AS
WITH open_findings AS (
  SELECT g.group_id AS report_id, count(*) AS open_errors
  FROM anomalies a JOIN report_documents g ON g.report_id = a.report_id
  WHERE a.severity = 'error' AND coalesce(a.review_decision, '') <> 'dismissed'
  GROUP BY g.group_id
)
SELECT r.report_id, r.agency, r.agency_norm, r.year, r.template, r.status,
       g.is_primary, g.versions_in_year, g.n_sources,
       totals.* EXCLUDE (report_id),
       -- the rates, one per metric of domain/metrics.ts (the metric dictionary): numerator / nullif(denominator, 0)
       -- @metric_rates
       coalesce(open_findings.open_errors, 0) AS open_errors,
       r.region, r.level
FROM reports r
JOIN report_documents g ON g.report_id = r.report_id AND g.is_representative
LEFT JOIN report_cell_totals totals ON totals.report_id = r.report_id
LEFT JOIN open_findings ON open_findings.report_id = r.report_id
WHERE r.status <> 'failed';

-- The metric dictionary (domain/metrics.ts): one row per rate of report_metrics — key, name_zh,
-- name_en, formula, denominator_rule, unit, version.
-- @metrics_view

-- Benchmarks: per year, region and level (from the agency CSV; 未分区 / 未分级 where it gives none,
-- 全部 for every region or level), the reports (one per agency and year: is_primary), the
-- P25/P50/P75 of every metric (quantile_cont, over the reports where it is not NULL) and the share
-- of reports with an open error finding. "P50 grant rate of county-level agencies in 2024":
--   SELECT grant_rate_p50 FROM benchmarks WHERE year = 2024 AND region = '全部' AND level = '区县级'
CREATE OR REPLACE VIEW benchmarks AS
WITH primary_reports AS (
  SELECT *, coalesce(region, '未分区') AS region_label, coalesce(level, '未分级') AS level_label
  FROM report_metrics WHERE is_primary AND year IS NOT NULL
)
SELECT CAST(year AS INTEGER) AS year,
       CASE WHEN grouping(region_label) = 1 THEN '全部' ELSE region_label END AS region,
       CASE WHEN grouping(level_label) = 1 THEN '全部' ELSE level_label END AS level,
       CAST(count(*) AS INTEGER) AS reports,
       -- @benchmark_quantiles
       avg(CASE WHEN open_errors > 0 THEN 1.0 ELSE 0.0 END) AS error_share
FROM primary_reports
GROUP BY GROUPING SETS ((year, region_label, level_label), (year, region_label), (year, level_label), (year));

-- Findings with the report's agency, year and group; `counted` is false for a finding an auditor
-- dismissed in reviews.csv (dismissed findings are listed apart and left out of totals).
CREATE OR REPLACE VIEW findings AS
SELECT a.*, r.agency, r.agency_norm, r.year, r.template, r.source, g.group_id,
       rr.year AS related_year, rg.group_id AS related_group_id,
       coalesce(a.review_decision, '') <> 'dismissed' AS counted,
       r.region, r.level
FROM anomalies a
LEFT JOIN reports r ON r.report_id = a.report_id
LEFT JOIN report_documents g ON g.report_id = a.report_id
LEFT JOIN reports rr ON rr.report_id = a.related_report_id
LEFT JOIN report_documents rg ON rg.report_id = a.related_report_id;

-- Every name the agency CSV knows an agency by, its own and its former ones (aliases), normalised
-- as reports.agency_norm is, with the agency it names: a report is the CSV agency whose name its
-- agency_norm is (the one place this mapping is written; empty without --agencies). The CSV is
-- refused when a name names two agencies; were one there, its first row would count.
CREATE OR REPLACE VIEW agency_names AS
SELECT DISTINCT ON (name_norm) name_norm, agency_norm, agency, region, level, line
FROM (SELECT unnest(list_prepend(agency_norm, aliases_norm)) AS name_norm, agency_norm, agency, region, level, line FROM agencies)
ORDER BY name_norm, line;

-- Agencies that have reports but no row in the agency CSV (every agency when the run had none):
-- their reports' region and level are NULL, and XA.AGGREGATE / XA.OUTLIER's peer groups miss them.
CREATE OR REPLACE VIEW agencies_missing AS
SELECT r.agency_norm, min(r.agency) AS agency, CAST(count(*) AS INTEGER) AS documents,
       CAST(min(r.year) AS INTEGER) AS first_year, CAST(max(r.year) AS INTEGER) AS last_year
FROM reports r
WHERE r.agency_norm IS NOT NULL AND r.status <> 'failed'
  AND r.agency_norm NOT IN (SELECT name_norm FROM agency_names)
GROUP BY r.agency_norm;
