/**
 * Label vocabulary: which normalised label (normalise.ts) means which canonical key.
 * Patterns are tested on the normalised text, most specific first.
 */

// ------------------------------------------------------------------ T3 rows
/** T3 rows identified by their own words, whatever group they sit in. */
export const T3_ITEM_PATTERNS: readonly [RegExp, string][] = [
  [/本年新收|新收.*申请/, 'new_received'],
  [/上年结转/, 'carried_over'],
  [/结转下年|下年度继续办理|转入下年/, 'carried_forward'],
  [/国家秘密/, 'denied_state_secret'],
  [/法律行政法规禁止|法律法规禁止|其他法律.*禁止/, 'denied_prohibited'],
  [/三安全一稳定|危及.*安全/, 'denied_security'],
  [/第三方合法权益|保护第三方/, 'denied_third_party'],
  [/内部事务/, 'denied_internal'],
  [/过程性信息/, 'denied_process'],
  [/行政执法案卷/, 'denied_enforcement'],
  [/行政查询/, 'denied_query'],
  [/不掌握/, 'unable_not_held'],
  [/另行制作|没有现成信息/, 'unable_must_create'],
  [/补正后|仍不明确/, 'unable_unclear'],
  [/信访|举报投诉/, 'rejected_petition'],
  [/重复申请/, 'rejected_repeat'],
  [/公开出版物/, 'rejected_publication'],
  [/大量反复/, 'rejected_excessive'],
  [/重新出具|确认或重新/, 'rejected_confirm'],
  [/逾期不补正|不补正/, 'other_no_correction'],
  [/收费通知|缴纳费用/, 'other_no_fee'],
  [/部分公开/, 'partial'],
  [/(?<!不)予以公开/, 'granted'],
  [/\(七\)|^总计$|^合计$|^\(七\)?(总计|合计)/, 'total_processed'],
];

/** Group headers of 三、本年度办理结果. */
export const T3_GROUP_PATTERNS: readonly [RegExp, string][] = [
  [/不予公开/, 'denied'],
  [/无法提供/, 'unable'],
  [/不予处理/, 'rejected'],
  [/其他处理/, 'other'],
];

/** Words that mark a row (or table) as T3, used to enter T3 context. */
export const T3_MARKERS = /申请人情况|自然人|本年新收|上年结转|本年度办理结果|收到和处理政府信息公开申请/;
export const T3_COLUMN_PATTERNS: readonly [RegExp, string][] = [
  [/^自然人$/, 'natural_person'],
  [/商业企业/, 'commercial'],
  [/科研机构/, 'research'],
  [/社会公益组织/, 'social_org'],
  [/法律服务机构/, 'legal_service'],
  [/^其他$|^其他组织$/, 'other_org'],
  [/^(总计|合计)$/, 'total'],
];

// ------------------------------------------------------------------ T4
export const T4_MARKERS = /行政复议|行政诉讼|行政法复议/;
export const T4_COLUMN_PATTERNS: readonly [RegExp, string][] = [
  [/维持/, 'upheld'],
  [/纠正/, 'corrected'],
  [/其他结果|^其他$/, 'other'],
  [/尚未审结|未审结/, 'pending'],
  [/^(总计|合计)$/, 'total'],
];

// ------------------------------------------------------------------ T2
export const T2_MARKERS = /第二十条|主动公开政府信息情况|信息内容/;
export const T2_ROW_PATTERNS: readonly [RegExp, string][] = [
  [/^规章/, 'regulations'],
  [/规范性文件/, 'normative_docs'],
  [/行政许可/, 'licensing'],
  [/其他对外管理服务事项|对外管理服务/, 'other_services'],
  [/行政处罚/, 'punishment'],
  [/行政强制/, 'coercion'],
  [/事业性收费|行政收费/, 'fees'],
  [/政府集中采购|集中采购/, 'procurement'],
];

/** T2 column headers; the version each implies (null: both). */
export const T2_COLUMN_PATTERNS: readonly [RegExp, string, '2019' | '2021' | null][] = [
  [/本年制发|制发件数/, 'issued', '2021'],
  [/本年废止|废止件数/, 'repealed', '2021'],
  [/现行有效/, 'in_force', '2021'],
  [/收费金额/, 'amount', '2021'],
  [/新制作/, 'made', '2019'],
  [/新公开/, 'published', '2019'],
  [/对外公开总数/, 'total_published', '2019'],
  [/上一年项目|上年项目/, 'prev_items', '2019'],
  [/增\/?减|增减/, 'change', '2019'],
  [/采购项目/, 'projects', '2019'],
  [/采购总金额|采购金额/, 'amount', '2019'],
  [/处理决定/, 'decisions', null],
];

type Patterns<T extends string> = readonly (readonly [RegExp, T, ...unknown[]])[];

/** firstMatch's answers per pattern list: the same few hundred labels recur in every report. */
const matched = new WeakMap<Patterns<string>, Map<string, string | null>>();

export function firstMatch<T extends string>(patterns: Patterns<T>, label: string): T | null {
  let answers = matched.get(patterns);
  if (!answers) {
    answers = new Map();
    matched.set(patterns, answers);
  }
  let key = answers.get(label);
  if (key === undefined) {
    if (answers.size > 20_000) answers.clear();
    key = null;
    for (const p of patterns) {
      if (p[0].test(label)) {
        key = p[1];
        break;
      }
    }
    answers.set(label, key);
  }
  return key as T | null;
}

/** True when a label cell is some known label of the template (used to keep reading a label across cells). */
export function isKnownLabel(label: string): boolean {
  return (
    firstMatch(T3_ITEM_PATTERNS, label) !== null ||
    firstMatch(T3_GROUP_PATTERNS, label) !== null ||
    /^三、?本年度办理结果|^[一二三四]、/.test(label) ||
    /^\d+\./.test(label) ||
    /^\([一二三四五六七]\)/.test(label) ||
    firstMatch(T2_ROW_PATTERNS, label) !== null ||
    /^小计$/.test(label)
  );
}

// ------------------------------------------------------------------ misprinted T3 labels

/** Length of the longest common subsequence of two short strings. */
function lcs(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(prev[j], prev[j - 1]);
      diag = up;
    }
  }
  return prev[b.length];
}

/** A template row's item words, normalised: 「（三）不予公开 1.属于国家秘密」 → 「属于国家秘密」. */
const itemWords = (label: string) =>
  label
    .replace(/^.*\s/, '')
    .replace(/^[（(][一二三四五六七][)）]|^[一二三四]、|^\d+\./, '')
    .normalize('NFKC');

/**
 * A T3 row whose printed label no pattern knows — a character missing or wrong (「国家秘蜜」,
 * 「本年新政府信息…」) — keyed by its number within its group (「1.」 under （三）不予公开 is
 * denied_state_secret) when its words still resemble that row's, else by the template label
 * its words resemble most (nine characters in ten alike, and clearly closer than any other).
 */
export function fuzzyT3Item(
  label: string,
  group: string | null,
  rows: readonly { key: string; label: string; group?: string }[],
): string | null {
  const m = /(\d+)\.([^\d]*)$/.exec(label);
  const words = (
    m ? m[2] : label.replace(/^.*?(?=[一二四]、|\([一二七]\))/, '').replace(/^[一二三四]、|^\([一二三四五六七]\)/, '')
  ).normalize('NFKC');
  if (words.length < 2) return null;
  const alike = (w: string) => lcs(words, w) / Math.max(words.length, w.length);
  if (m && group) {
    const members = rows.filter((r) => r.group === group && /\d+\./.test(r.label));
    const row = members[Number(m[1]) - 1];
    if (row && alike(itemWords(row.label)) >= 0.6) return row.key;
  }
  const scored = rows.map((r) => ({ key: r.key, score: alike(itemWords(r.label)) })).sort((a, b) => b.score - a.score);
  if (scored[0] && scored[0].score >= 0.85 && (scored.length < 2 || scored[0].score - scored[1].score >= 0.1))
    return scored[0].key;
  return null;
}
