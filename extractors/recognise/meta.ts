/**
 * Report metadata: the agency as the title names it, and the statistics year from the title
 * or the statistics-period sentence (统计期限…), never from the publication date.
 */
import type { DocumentModel, Message } from '../model.js';

export interface ReportMeta {
  agency: string | null;
  title: string | null;
  titleYear: number | null;
  periodYear: number | null;
  year: number | null;
}

const REPORT_TITLE =
  /((?:19|20)\d{2})\s*年\s*(?:度)?[^。；;]{0,30}?(?:政府信息公开|政务公开|信息公开)[^。；;]{0,12}?(?:年度报告|年报|工作报告)/;
const PERIOD =
  /统计(?:期限|时限|期间|区间|时间|范围)[^。]{0,40}?((?:19|20)\d{2})\s*年\s*(?:1|01|一)\s*月\s*(?:1|01|一)\s*日/;
const PERIOD_FALLBACK =
  /(?:数据|统计)[^。]{0,20}?(?:自|从)\s*((?:19|20)\d{2})\s*年\s*(?:1|01)\s*月\s*(?:1|01)\s*日\s*(?:起|开始)?\s*(?:至|到)/;

/** Strips decoration around an agency name: quotes, brackets, leading 关于, trailing 的. */
export function cleanAgency(text: string): string | null {
  let t = text
    .replace(/[\s\u00a0\u3000]+/g, '')
    .replace(/^[《“"「【[]+|[》”"」】\]]+$/g, '')
    .replace(/^(关于|首页|当前位置[:：]?)/, '')
    .replace(/(的|关于)$/, '')
    .replace(/[:：,，]$/, '');
  t = t.replace(/^.*[>»›]/, ''); // breadcrumbs: 首页 > 政务公开 > …
  t = t.replace(/^.*[:：]/, ''); // labels: 标题：… 名称：…
  if (t.length < 2 || t.length > 40 || /\d{4}/.test(t)) return null;
  return t;
}

interface TitleHit {
  title: string;
  agency: string | null;
  year: number;
}

function fromLine(line: string, previous: string | null): TitleHit | null {
  const m = REPORT_TITLE.exec(line);
  if (!m) return null;
  const year = Number(m[1]);
  const before = line.slice(0, m.index);
  // "平潭综合实验区2019年度…" | "2020年北京市朝阳区教育委员会政府信息公开…" | agency on the line above.
  let agency = cleanAgency(before.split(/[_|｜\-—–]/).pop() ?? '');
  if (!agency) {
    const between = /^\s*(?:19|20)\d{2}\s*年\s*(?:度)?(.+?)(?=政府信息公开|政务公开)/.exec(line.slice(m.index));
    if (between) agency = cleanAgency(between[1]);
  }
  if (!agency && previous) agency = cleanAgency(previous);
  return { title: line.trim(), agency, year };
}

export function readMeta(model: DocumentModel, messages: Message[]): ReportMeta {
  const paragraphs = model.blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : []));
  let hit: TitleHit | null = null;
  // The page <title> names the report; site suffixes follow an underscore or dash.
  if (model.title) {
    for (const part of model.title.split(/[_|｜]|\s[-—–]\s|-(?=[^-]*$)/)) {
      hit = fromLine(part.trim(), null);
      if (hit) break;
    }
  }
  // In the body, the title is among the first lines; the agency may be on the line before.
  const head = paragraphs.slice(0, 60);
  let bodyHit: TitleHit | null = null;
  for (let i = 0; i < head.length && !bodyHit; i++) {
    if (head[i].length > 80) continue;
    bodyHit = fromLine(head[i], i > 0 && head[i - 1].length <= 40 ? head[i - 1] : null);
  }
  if (!hit || (!hit.agency && bodyHit?.agency)) hit = bodyHit ?? hit;
  if (hit && !hit.agency && bodyHit?.agency && bodyHit.year === hit.year) hit = { ...hit, agency: bodyHit.agency };

  let periodYear: number | null = null;
  for (const p of paragraphs) {
    const m = PERIOD.exec(p) ?? PERIOD_FALLBACK.exec(p);
    if (m) {
      periodYear = Number(m[1]);
      break;
    }
  }
  const titleYear = hit?.year ?? null;
  if (!hit)
    messages.push({
      type: 'warning',
      stage: 'recognise',
      message: 'no report title found (agency and year unknown from the title)',
    });
  else if (!hit.agency)
    messages.push({
      type: 'warning',
      stage: 'recognise',
      message: `title found but no agency name in it: ${hit.title}`,
    });
  return {
    agency: hit?.agency ?? null,
    title: hit?.title ?? null,
    titleYear,
    periodYear,
    year: titleYear ?? periodYear,
  };
}
