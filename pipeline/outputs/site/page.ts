/**
 * The page shell shared by every page: inline CSS and script (allowed by hash in a strict
 * Content-Security-Policy, so nothing else can run), no network, opens from disk.
 */
import { createHash } from 'node:crypto';
import { html, trusted, type Html } from './html.js';

/** The global a report's peers' file sets (standing.ts), read by the page's script. */
export const PEERS_GLOBAL = 'GOA_PEERS';

const CSS = `
:root { --error:#b3261e; --error-bg:#fdecea; --warning:#8a5300; --warning-bg:#fff1cc; --info:#1d4f91; --info-bg:#e7effb;
  --line:#d5d8dd; --muted:#5f6670; --head:#f3f4f6; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 15px/1.6 "PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;
  color: #1f2328; background: #fafafa; }
header.top { background: #23395d; color: #fff; padding: 14px 28px; }
header.top a { color: #cfe0ff; }
header.top h1 { margin: 0; font-size: 20px; font-weight: 600; }
header.top .sub { color: #cfd8e6; font-size: 13px; }
main { padding: 18px 28px 60px; max-width: 1500px; }
h2 { font-size: 18px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #23395d; }
h3 { font-size: 16px; margin: 20px 0 8px; }
a { color: #1a56b8; }
.muted, .note { color: var(--muted); font-size: 13px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 10px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 130px; }
.card .n { font-size: 24px; font-weight: 600; }
.card .k { color: var(--muted); font-size: 13px; }
.card.error .n { color: var(--error); } .card.warning .n { color: var(--warning); } .card.info .n { color: var(--info); }
.cols { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
table.list { border-collapse: collapse; background: #fff; font-size: 14px; }
table.list th, table.list td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
table.list th { background: var(--head); font-weight: 600; white-space: nowrap; }
table.list td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.list td.go { white-space: nowrap; }
table.list.wide { width: 100%; }
table.findings td:nth-child(3) { min-width: 11em; } table.findings td:nth-child(5) { min-width: 12em; }
table.findings td:nth-child(4), table.findings td:nth-child(7), table.reports td:nth-child(2) { white-space: nowrap; }
table.findings td:nth-child(4), table.reports td:nth-child(2), table.reports td:nth-child(n+5):nth-child(-n+7) { text-align: right; font-variant-numeric: tabular-nums; }
table.reports td.src { color: var(--muted); font-size: 13px; }
details.ops summary { cursor: pointer; font-size: 13px; color: var(--muted); }
.side table.grid { font-size: 12px; } .side table.grid th.corner { font-size: 11px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.error { color: #fff; background: var(--error); } .badge.warning { color: #fff; background: #b7791f; } .badge.info { color: #fff; background: var(--info); }
.badge.dismissed { color: var(--muted); background: #e6e6e6; } .badge.confirmed { color: #fff; background: #2e7d32; }
.badge.failed { color: #fff; background: var(--error); } .badge.partial { color: #fff; background: #b7791f; } .badge.ok { color: #fff; background: #2e7d32; }
code, .fp { font-family: ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace; font-size: 12px; }
.fp { color: var(--muted); user-select: all; }
.filters { position: sticky; top: 0; z-index: 2; background: #eef2f8; border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 12px; margin: 12px 0; display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
.filters label { font-size: 13px; color: var(--muted); }
.filters select, .filters input { font: inherit; font-size: 14px; padding: 2px 6px; }
.filters input[type=search] { min-width: 260px; }
.count { font-size: 13px; color: var(--muted); margin-left: 6px; }
.finding { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 4px; padding: 8px 12px; margin: 8px 0; }
.finding.error { border-left-color: var(--error); } .finding.warning { border-left-color: #d69e2e; } .finding.info { border-left-color: var(--info); }
.finding.dismissed { opacity: .75; }
.finding .head { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
.finding .msg { margin: 4px 0; font-size: 15px; }
.finding .calc { margin: 4px 0; font-size: 14px; }
.finding .calc .exp { color: #1b5e20; font-weight: 600; } .finding .calc .pub { color: var(--error); font-weight: 600; }
.finding ul.ops { margin: 4px 0; padding-left: 20px; font-size: 13px; color: #333; }
blockquote.sentence { margin: 6px 0; padding: 6px 10px; background: #f6f3ea; border-left: 3px solid #c9b37e; font-size: 14px; white-space: pre-wrap; }
.scroll { overflow-x: auto; }
table.grid { border-collapse: collapse; background: #fff; font-size: 13px; margin: 6px 0; }
table.grid th, table.grid td { border: 1px solid #9aa1ab; padding: 3px 6px; }
table.grid th { background: var(--head); font-weight: normal; text-align: center; }
table.grid th.label { text-align: left; min-width: 4em; }
table.grid th.corner { font-size: 12px; color: var(--muted); max-width: 260px; }
table.grid tr.section th { background: #e3e7ee; text-align: left; font-weight: 600; }
table.grid td { text-align: right; font-variant-numeric: tabular-nums; min-width: 3.2em; white-space: nowrap; position: relative; }
table.grid td.blank { color: #9aa1ab; font-size: 12px; }
table.grid td.derived { font-style: italic; color: var(--muted); }
table.grid td.text { background: #f3e8fd; color: #5b2a86; white-space: normal; text-align: left; max-width: 12em; word-break: break-all; }
table.grid td.absent { background: repeating-linear-gradient(45deg,#fff,#fff 4px,#eceef1 4px,#eceef1 8px); }
table.grid td.hit { font-weight: 600; outline: 2px solid currentColor; outline-offset: -2px; }
.hit.sev-error { background: var(--error-bg); color: var(--error); }
.hit.sev-warning { background: var(--warning-bg); color: var(--warning); }
.hit.sev-info { background: var(--info-bg); color: var(--info); }
.involved.sev-error { background: #fdf3f2; } .involved.sev-warning { background: #fffaeb; } .involved.sev-info { background: #f3f7fd; }
table.grid td.involved { box-shadow: inset 0 -2px 0 #c9ccd1; }
td .arrow { margin: 0 3px; color: var(--muted); font-weight: normal; }
td .exp { color: #1b5e20; }
td .pub { text-decoration: line-through; }
td .was { font-weight: normal; font-size: 12px; color: var(--muted); }
sup.tag { font-size: 10px; font-weight: normal; color: var(--muted); margin-left: 2px; }
td:target { box-shadow: 0 0 0 3px #ffb300 inset; }
.legend { font-size: 12px; color: var(--muted); }
.swatch { display: inline-block; padding: 0 5px; border: 1px solid #9aa1ab; font-size: 12px; }
.swatch.blank { color: #9aa1ab; } .swatch.derived { font-style: italic; } .swatch.text { background: #f3e8fd; color: #5b2a86; }
.swatch.absent { width: 22px; height: 14px; vertical-align: middle; background: repeating-linear-gradient(45deg,#fff,#fff 4px,#eceef1 4px,#eceef1 8px); }
.side { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.side > div { flex: 1 1 560px; min-width: 0; }
.meta dt { float: left; clear: left; width: 7em; color: var(--muted); }
.meta dd { margin: 0 0 2px 7.5em; }
ul.sources { margin: 2px 0; padding-left: 18px; }
.missing { color: var(--error); }
nav.toc a { margin-right: 14px; }
.charts { display: flex; flex-wrap: wrap; gap: 18px 28px; align-items: flex-start; }
figure.chart { margin: 8px 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; max-width: 100%; }
figure.chart figcaption { font-size: 14px; margin-bottom: 4px; }
figure.chart .svg svg { max-width: 100%; height: auto; display: block; }
details.chart-data summary { cursor: pointer; font-size: 13px; color: var(--muted); }
table.standing td:nth-child(3) { white-space: nowrap; }
@media print {
  @page { size: A4; margin: 12mm 10mm; }
  body { background: #fff; font-size: 11px; line-height: 1.4; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  header.top { background: none; color: #000; padding: 0 0 4px; border-bottom: 2px solid #000; }
  header.top .sub, header.top a { color: #333; }
  main { padding: 0; max-width: none; }
  .filters, nav.toc, .count { display: none !important; }
  a { color: inherit; text-decoration: none; }
  h2 { font-size: 14px; margin: 14px 0 6px; break-after: avoid; page-break-after: avoid; }
  h3 { font-size: 12px; margin: 10px 0 4px; break-after: avoid; page-break-after: avoid; }
  .cards { gap: 6px; } .card { padding: 4px 8px; min-width: 90px; } .card .n { font-size: 16px; }
  table.list, table.grid { font-size: 10px; }
  table.list th, table.list td { padding: 2px 4px; }
  table.list td { overflow-wrap: anywhere; }
  table.grid th, table.grid td { padding: 1px 3px; }
  table.grid td { min-width: 0; }
  thead { display: table-header-group; }
  tr, .finding, .card, blockquote.sentence, dl.meta, figure.chart { break-inside: avoid; page-break-inside: avoid; }
  figure.chart { border: none; padding: 0; }
  .scroll { overflow: visible; }
  .side { flex-wrap: nowrap; gap: 8px; break-inside: avoid; page-break-inside: avoid; }
  .side > div { flex: 1 1 0; }
  .side table.grid { font-size: 8px; }
  .fp { user-select: auto; }
}
`;

/**
 * Filters every element carrying data-row by the controls of .filters (select = exact token,
 * search = text); fills in a report's standing among its peers from their file (standing.ts):
 * percent_rank and quantile_cont as DuckDB computes them.
 */
const SCRIPT = `
(function () {
  var controls = Array.prototype.slice.call(document.querySelectorAll('.filters [data-filter]'));
  if (!controls.length) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll('[data-row]'));
  var counters = Array.prototype.slice.call(document.querySelectorAll('[data-count-of]'));
  function apply() {
    var want = {};
    controls.forEach(function (c) { want[c.getAttribute('data-filter')] = c.value.trim().toLowerCase(); });
    rows.forEach(function (r) {
      var ok = true;
      Object.keys(want).forEach(function (k) {
        var v = want[k];
        if (!ok || !v) return;
        if (k === 'q') { ok = r.textContent.toLowerCase().indexOf(v) >= 0; return; }
        var tokens = r.getAttribute('data-' + k);
        if (tokens !== null) ok = tokens.toLowerCase().indexOf('|' + v + '|') >= 0;
      });
      r.hidden = !ok;
    });
    counters.forEach(function (c) {
      var group = c.getAttribute('data-count-of');
      var all = rows.filter(function (r) { return r.getAttribute('data-row') === group; });
      var shown = all.filter(function (r) { return !r.hidden; }).length;
      c.textContent = '显示 ' + shown + ' / ' + all.length;
    });
  }
  controls.forEach(function (c) { c.addEventListener('input', apply); c.addEventListener('change', apply); });
  apply();
})();
(function () {
  var table = document.querySelector('table.standing[data-peers]');
  var peers = window.${PEERS_GLOBAL};
  if (!table || !peers) return;
  function pct(v) { return v === null ? '\u2014' : (v * 100).toFixed(1) + '%'; }
  function quantile(sorted, q) {
    if (!sorted.length) return null;
    var pos = q * (sorted.length - 1), lo = Math.floor(pos), hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
  Array.prototype.forEach.call(table.querySelectorAll('tr[data-metric]'), function (tr) {
    var sorted = peers[tr.getAttribute('data-metric')];
    if (!sorted) return;
    var value = Number(tr.getAttribute('data-value')), n = sorted.length, below = -1;
    for (var i = 0; i < n; i++) if (sorted[i] >= value) { below = i; break; }
    var rank = n < 2 ? 0 : (below < 0 ? n : below) / (n - 1);
    var cells = tr.cells;
    cells[2].textContent = n < 2 ? '同组只有本报告' : '第 ' + Math.round(rank * 100) + ' 百分位（高于 ' + Math.round(rank * (n - 1)) + ' 份，共 ' + n + ' 份）';
    cells[3].textContent = pct(quantile(sorted, 0.25));
    cells[4].textContent = pct(quantile(sorted, 0.5));
    cells[5].textContent = pct(quantile(sorted, 0.75));
  });
})();
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const policy = (scripts: string) =>
  [
    "default-src 'none'",
    `style-src ${hash(CSS)}`,
    `script-src ${scripts}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

export const CONTENT_SECURITY_POLICY = policy(hash(SCRIPT));
/**
 * A page that loads a data file beside it (a report page: its peers'
 * file): scripts of its own origin too (file:// in Chromium).
 */
export const CONTENT_SECURITY_POLICY_WITH_FILES = policy(`${hash(SCRIPT)} 'self'`);

export interface PageInput {
  title: string;
  /** Shown under the title in the header bar. */
  subtitle?: Html | string;
  /** Link back to the summary, relative to this page ('' on the summary itself). */
  homeHref?: string;
  body: Html;
  /** The body loads a script file beside the page (a data file): allowed by the policy. */
  loadsFiles?: boolean;
}

/** The page around its body: what comes before it and after it (a long page is written in pieces between them). */
export function pageShell(p: Omit<PageInput, 'body'>): { head: string; tail: string } {
  const home = p.homeHref ? html`<a href="${p.homeHref}">← 返回汇总</a> · ` : '';
  const head = html`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${p.loadsFiles ? CONTENT_SECURITY_POLICY_WITH_FILES : CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title}</title>
<style>${trusted(CSS)}</style>
</head>
<body>
<header class="top"><h1>${p.title}</h1><div class="sub">${home}${p.subtitle ?? ''}</div></header>
<main>
`.value;
  return { head, tail: TAIL };
}

const TAIL = `
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;

export function renderPage(p: PageInput): string {
  const { head, tail } = pageShell(p);
  return head + p.body.value + tail;
}

/** A token list for data-* filter attributes: |a|b| (matched whole, case-insensitive). */
export function tokens(values: readonly (string | number | null | undefined)[]): string {
  const list = values.filter((v) => v !== null && v !== undefined && v !== '').map(String);
  return `|${[...new Set(list)].join('|')}|`;
}
