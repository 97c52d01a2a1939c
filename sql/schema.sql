-- The warehouse schema. Names in docs/contract.md are a contract: add columns, never rename.
-- Idempotent: run at the start of every run.

-- One row per distinct document (same bytes twice = one document).
CREATE TABLE IF NOT EXISTS reports (
  report_id          VARCHAR PRIMARY KEY,  -- 'r' + first 16 hex digits of sha256
  source             VARCHAR NOT NULL,     -- path under --input, or URL, where first found
  sha256             VARCHAR NOT NULL,
  format             VARCHAR,              -- docx | html | txt (NULL when not recognised)
  agency             VARCHAR,              -- as named in the report's title
  agency_norm        VARCHAR,              -- normalised name used to match years and aliases
  year               INTEGER,              -- statistics year
  template           VARCHAR,              -- 2019 | 2021
  status             VARCHAR NOT NULL,     -- ok | partial | failed
  error              VARCHAR,              -- stage: reason, when partial or failed
  title              VARCHAR,              -- the title line the agency and year were read from
  title_year         INTEGER,              -- year named in the title
  period_year        INTEGER,              -- year named in the statistics-period sentence (统计期限)
  size_bytes         BIGINT,
  tables_found       VARCHAR,              -- e.g. 'T2,T3,T4'
  warnings           VARCHAR,              -- JSON array of {stage,type,message}
  extractor_version  VARCHAR,
  loaded_run         VARCHAR,
  loaded_at          TIMESTAMP,
  filed_year         INTEGER               -- year the document is filed under (its path or URL), when it names one
);

-- One row per number of T2, T3, T4.
CREATE TABLE IF NOT EXISTS cells (
  report_id   VARCHAR NOT NULL,
  table_id    VARCHAR NOT NULL,   -- T2 | T3 | T4
  row_key     VARCHAR NOT NULL,
  col_key     VARCHAR NOT NULL,
  value       DOUBLE,             -- money in 万元; 0 for blank; NULL for text
  raw         VARCHAR,            -- as printed
  kind        VARCHAR NOT NULL,   -- number | blank | text | derived
  grid_table  INTEGER,            -- provenance: top-level table index in the document
  grid_row    INTEGER,            --             row in the expanded grid
  grid_col    INTEGER,            --             column in the expanded grid
  unit        VARCHAR,            -- unit printed in the cell or its header when not the template's (e.g. 元)
  page        INTEGER             -- provenance: the page of a PDF the cell is printed on (NULL for other formats)
);

-- The document ledger: every path (or URL) seen, with the bytes it held.
CREATE TABLE IF NOT EXISTS documents (
  source          VARCHAR NOT NULL,
  sha256          VARCHAR NOT NULL,
  size_bytes      BIGINT,
  first_seen      TIMESTAMP,
  last_seen       TIMESTAMP,
  first_seen_run  VARCHAR,
  last_seen_run   VARCHAR,
  status          VARCHAR,         -- status of the report these bytes produced
  PRIMARY KEY (source, sha256)
);

-- One row per run.
CREATE TABLE IF NOT EXISTS runs (
  run_id             VARCHAR PRIMARY KEY,
  started_at         TIMESTAMP,
  ended_at           TIMESTAMP,
  input              VARCHAR,
  docs_seen          INTEGER,
  docs_new           INTEGER,
  docs_unchanged     INTEGER,
  docs_reprocessed   INTEGER,
  docs_failed        INTEGER,
  docs_partial       INTEGER,
  cells_loaded       BIGINT,
  anomalies          INTEGER,
  exit_code          INTEGER,
  extractor_version  VARCHAR,
  rules_version      VARCHAR,
  host               VARCHAR,
  inputs_hash        VARCHAR           -- rule files, views, agency CSV, reviews, output paths (pipeline/run/run-inputs.ts)
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS inputs_hash VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS filed_year INTEGER;
ALTER TABLE cells ADD COLUMN IF NOT EXISTS page INTEGER;
-- A file whose size and modification time are those it had when it was last hashed is not read
-- again (pipeline/ingest/ingest.ts), as make and git judge files.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS mtime_ms DOUBLE;      -- the file's modification time then (ms since 1970)
ALTER TABLE documents ADD COLUMN IF NOT EXISTS hashed_at_ms DOUBLE;  -- when its bytes were last read and hashed
-- A path seen and not read (an unreadable file or folder, a link not followed, a FIFO) has a row
-- with sha256 '' and the reason, `stage: reason` (pipeline/ingest/discover.ts, pipeline/ingest/ingest.ts).
ALTER TABLE documents ADD COLUMN IF NOT EXISTS error VARCHAR;

-- The catalogue of rules (filled from the headers of sql/rules/*.sql).
CREATE TABLE IF NOT EXISTS rules (
  rule_id   VARCHAR PRIMARY KEY,
  severity  VARCHAR NOT NULL,
  title_zh  VARCHAR,
  title_en  VARCHAR,
  file      VARCHAR
);

-- Canonical keys with their template labels (from domain/template.ts).
CREATE TABLE IF NOT EXISTS template_keys (
  table_id   VARCHAR,
  template   VARCHAR,
  row_key    VARCHAR,
  col_key    VARCHAR,
  row_label  VARCHAR,
  col_label  VARCHAR,
  row_order  INTEGER,
  col_order  INTEGER
);

-- One row per finding of the latest run (the rules re-run over the whole warehouse each run).
CREATE TABLE IF NOT EXISTS anomalies (
  fingerprint        VARCHAR NOT NULL,   -- stable id: rule + report(s) + cells + values
  rule_id            VARCHAR NOT NULL,
  severity           VARCHAR NOT NULL,   -- error | warning | info
  report_id          VARCHAR NOT NULL,
  related_report_id  VARCHAR,
  table_id           VARCHAR,
  row_key            VARCHAR,
  col_key            VARCHAR,
  expected           DOUBLE,
  actual             DOUBLE,
  message            VARCHAR NOT NULL,
  operands           VARCHAR,            -- JSON: the cells the arithmetic used [{table_id,row_key,col_key,value,raw,kind}];
                                         --   NARR.* rules: an object {sentence, offset, quantity, claimed, cells, …}
  cells              VARCHAR,            -- JSON array of every cell involved: [{table_id,row_key,col_key}]
  blank_involved     BOOLEAN,
  first_seen_run     VARCHAR,
  last_seen_run      VARCHAR,
  review_decision    VARCHAR,            -- confirmed | dismissed (from reviews.csv), NULL when not reviewed
  review_note        VARCHAR
);

-- Claims the prose makes about the tables (NARR.* rules).
CREATE TABLE IF NOT EXISTS claims (
  report_id  VARCHAR NOT NULL,
  quantity   VARCHAR NOT NULL,   -- what the claim speaks of (e.g. t3.new_received, t3.granted)
  value      DOUBLE,
  percent    DOUBLE,
  base       VARCHAR,            -- a percentage's base as a quantity key (t3.total_processed, parts:N, …) or the printed words;
                                 --   for quantity 'parts': the parts, e.g. 970+662+343
  sentence   VARCHAR,
  "offset"   INTEGER             -- character offset of the sentence in the report's prose
);

-- The crawler's fetch ledger: one row per HTTP fetch (or refusal) of a run.
CREATE TABLE IF NOT EXISTS fetches (
  run_id         VARCHAR,
  url            VARCHAR NOT NULL,
  agency         VARCHAR,
  kind           VARCHAR,     -- listing | report | robots
  fetched_at     TIMESTAMP,
  http_status    INTEGER,     -- NULL when no response (timeout, refused, reset)
  outcome        VARCHAR,     -- stored | not_modified | refused | error | skipped
  reason         VARCHAR,     -- why refused / failed
  etag           VARCHAR,
  last_modified  VARCHAR,
  sha256         VARCHAR,     -- content stored at data/raw/<sha256>
  size_bytes     BIGINT,
  attempts       INTEGER,
  duration_ms    INTEGER
);

-- The agency hierarchy of --agencies FILE, replaced by every run (empty when the run has none).
CREATE TABLE IF NOT EXISTS agencies (
  agency        VARCHAR NOT NULL,   -- as written in the CSV
  agency_norm   VARCHAR NOT NULL,   -- normalised name, matched against reports.agency_norm
  parent        VARCHAR,            -- the parent agency as written (NULL at the top)
  parent_norm   VARCHAR,
  region        VARCHAR,
  region_code   VARCHAR,            -- e.g. the 6-digit administrative division code, when the CSV has a region_code column
  level         VARCHAR,
  aliases       VARCHAR[],          -- former names as written
  aliases_norm  VARCHAR[],
  line          INTEGER             -- line of the row in the CSV
);
-- The agency's region and level from the agency CSV (NULL when the agency is not listed), set by every run.
ALTER TABLE reports ADD COLUMN IF NOT EXISTS region VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS level VARCHAR;

-- What each run checked: one row per run and rule (pipeline/rules/rule-results.ts).
CREATE TABLE IF NOT EXISTS rule_results (
  run_id                  VARCHAR NOT NULL,
  rule_id                 VARCHAR NOT NULL,
  severity                VARCHAR,
  reports_checked         INTEGER,
  reports_passed          INTEGER,
  reports_failed          INTEGER,
  reports_not_assessable  INTEGER,
  findings                INTEGER
);

-- Findings of the run before that are gone from this run's (pipeline/rules/changes.ts).
CREATE TABLE IF NOT EXISTS resolved_findings (
  fingerprint     VARCHAR NOT NULL,
  rule_id         VARCHAR NOT NULL,
  severity        VARCHAR,
  report_id       VARCHAR,
  table_id        VARCHAR,
  row_key         VARCHAR,
  col_key         VARCHAR,
  message         VARCHAR,
  first_seen_run  VARCHAR,
  last_seen_run   VARCHAR,
  resolved_run    VARCHAR NOT NULL
);

-- What made the warehouse's views (pipeline/warehouse/views.ts): they are replaced only when it changes.
CREATE TABLE IF NOT EXISTS warehouse_meta (
  schema_version  INTEGER,
  views_hash      VARCHAR
);
