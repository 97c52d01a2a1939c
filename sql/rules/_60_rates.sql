-- The rates XA.OUTLIER compares across a peer group (see _20_cells.sql for what the `_` files hold),
-- each as the cells it adds up: part (numerator) and base (denominator).
CREATE OR REPLACE TEMP TABLE rate_defs(rate VARCHAR, rate_zh VARCHAR, table_id VARCHAR, min_base INTEGER);
INSERT INTO rate_defs VALUES ('granted_share', '予以公开和部分公开占办理结果总数的比例', 'T3', 10),
       ('denied_share', '不予公开占办理结果总数的比例', 'T3', 10),
       ('unable_share', '无法提供占办理结果总数的比例', 'T3', 10),
       ('rejected_share', '不予处理占办理结果总数的比例', 'T3', 10),
       ('review_corrected_share', '行政复议结果纠正占已审结复议的比例', 'T4', 5),
       ('litigation_corrected_share', '行政诉讼结果纠正占已审结诉讼的比例', 'T4', 5);

CREATE OR REPLACE TEMP VIEW rate_cells AS
SELECT d.rate, d.rate_zh, d.min_base, c.*,
       CASE d.rate WHEN 'granted_share' THEN c.grp IN ('granted', 'partial')
                   WHEN 'denied_share' THEN c.grp = 'denied'
                   WHEN 'unable_share' THEN c.grp = 'unable'
                   WHEN 'rejected_share' THEN c.grp = 'rejected'
                   WHEN 'review_corrected_share' THEN c.row_key = 'review' AND c.col_key = 'corrected'
                   ELSE c.row_key LIKE 'litigation%' AND c.col_key = 'corrected' END AS in_part,
       CASE WHEN d.table_id = 'T3' THEN c.row_key = 'total_processed'
            WHEN d.rate = 'review_corrected_share' THEN c.row_key = 'review' AND c.col_key IN ('upheld', 'corrected', 'other')
            ELSE c.row_key LIKE 'litigation%' AND c.col_key IN ('upheld', 'corrected', 'other') END AS in_base
FROM rate_defs d
JOIN rule_cells c ON c.table_id = d.table_id AND NOT c.is_subtotal AND (d.table_id = 'T4' OR c.col_key = 'total');

-- Each report's rates, from its own cells (an incremental run keeps those of the reports it
-- does not touch: pipeline/rules/incremental.ts).
-- scope: report
CREATE OR REPLACE TABLE rules_work.report_rates AS
SELECT report_id, rate, any_value(rate_zh) AS rate_zh, any_value(table_id) AS table_id,
       sum(value) FILTER (WHERE in_part) AS part, sum(value) FILTER (WHERE in_base) AS base,
       any_value(min_base) AS min_base, bool_or(value IS NULL) AS has_text
FROM rate_cells
WHERE in_part OR in_base
GROUP BY report_id, rate;
