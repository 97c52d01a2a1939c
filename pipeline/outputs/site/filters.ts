/** The filter bar (severity, rule, agency, year, free text) the page script wires up. */
import { html, type Html } from './html.js';
import { severityZh } from './labels.js';

export interface FilterOptions {
  severities?: readonly string[];
  rules?: readonly { id: string; title: string }[];
  agencies?: readonly string[];
  years?: readonly number[];
}

function select(key: string, label: string, options: readonly { value: string; text: string }[]): Html {
  return html`<label>${label} <select data-filter="${key}" aria-label="${label}"><option value="">全部</option>${options.map(
    (o) => html`<option value="${o.value}">${o.text}</option>`,
  )}</select></label>`;
}

export function filterBar(o: FilterOptions): Html {
  const parts: Html[] = [];
  if (o.severities?.length)
    parts.push(
      select(
        'sev',
        '严重程度',
        o.severities.map((s) => ({ value: s, text: severityZh(s) })),
      ),
    );
  if (o.rules?.length)
    parts.push(
      select(
        'rule',
        '规则',
        o.rules.map((r) => ({ value: r.id, text: r.title ? `${r.id} ${r.title}` : r.id })),
      ),
    );
  if (o.agencies?.length)
    parts.push(
      select(
        'agency',
        '机构',
        o.agencies.map((a) => ({ value: a, text: a })),
      ),
    );
  if (o.years?.length)
    parts.push(
      select(
        'year',
        '年度',
        o.years.map((y) => ({ value: String(y), text: String(y) })),
      ),
    );
  parts.push(
    html`<label>搜索 <input type="search" data-filter="q" placeholder="机构、规则、说明、单元格…" aria-label="搜索"></label>`,
  );
  return html`<div class="filters" role="search">${parts}</div>`;
}

/** "显示 x / y", kept up to date by the page script for rows with data-row="<group>". */
export function counter(group: string): Html {
  return html`<span class="count" data-count-of="${group}"></span>`;
}
