/**
 * What a count in the prose speaks of: the quantity vocabulary and the patterns that pick it.
 *
 * Quantities (stored in claims.quantity; the NARR rules map them to cells):
 *   t3.received              收到/受理/共…申请 N件 — new_received, or new_received + carried_over
 *                            (prose often counts the carried-over requests in); total column
 *   t3.new_received          本年新收 N件 — the new_received row only
 *   t3.carried_over          上年结转 N件
 *   t3.total_processed       办结/已答复 N件
 *   t3.carried_forward       结转下年度/仍在办理 N件
 *   t3.granted, t3.partial   予以公开/同意公开, 部分公开
 *   t3.granted_partial       予以公开和部分公开 together
 *   t3.group.<g>             a whole group: denied 不予公开, unable 无法提供, rejected 不予处理, other 其他处理
 *   t3.<row_key>             a named sub-row (本机关不掌握 → t3.unable_not_held, 重复申请 → t3.rejected_repeat, …)
 *   t3.<row>@<col>           an applicant column instead of 总计: natural_person … other_org, or
 *                            legal = the five 法人或其他组织 columns (自然人申请72件 → t3.received@natural_person)
 *   a|b                      two readings the sentence allows (因本机关不掌握等原因无法提供N件 →
 *                            t3.unable_not_held|t3.group.unable): recorded, never flagged
 *   item:<label>             a category the template has no row for (申请信息不存在), kept only for its share
 *   channel.<c>              how requests came in: 当面, 信函, 电子邮件, 网络, 传真 (no table cell)
 *   t4.<review|litigation>.<total|upheld|corrected|pending>
 *                            行政复议 / 行政诉讼 (litigation = direct + after review)
 *   t2.<regulations|normative_docs>.<issued|in_force|repealed|made|published>
 *   parts                    共N…其中A、B、C: value N, base "A+B+C" (a closed list) or "A+B+…"
 *                            (an open list: the parts may leave some out)
 */

/** A window around one count: the clause text before it and after it (up to the neighbouring counts). */
export interface Window {
  readonly left: string;
  readonly right: string;
  /** The whole clause. */
  readonly clause: string;
  /** The sentence (。) the clause belongs to, normalised. */
  readonly sentence: string;
  /** The paragraph (or the one before it) speaks of requests (申请). */
  readonly aboutRequests: boolean;
  /** The paragraph follows a heading such as 四、政府信息公开行政复议、行政诉讼情况. */
  readonly underT4Heading: boolean;
}

/** What the classifier remembers while reading a paragraph. */
export interface ReadingState {
  /** The last T3 row quantity claimed (for 自然人N件, which row it breaks down). */
  lastRow: string | null;
  /** The last T4 block named (for 维持N件 after 行政复议3件). */
  lastKind: 'review' | 'litigation' | 'both' | null;
}

// ---------------------------------------------------------------- shared guards

/** A change, not a count: 较上年增加5件, 同比下降. */
const DELTA = /较|比上年|比去年|同比|环比|增加|减少|增长|下降|上升|提高|降低/;
/** Other things agencies receive and settle, which are not 政府信息公开申请. */
const OTHER_OBJECTS = /建议|提案|诉求|问政|来信|来电|热线|留言|咨询|舆情|信件|来访|工单/;
/** 申请 as a request for information (被申请行政复议 is a T4 matter). */
export const REQUEST = /(?<!被)申请/;

// ---------------------------------------------------------------- T4

const REVIEW = /复议/;
const LITIGATION = /诉讼|起诉/;
const T4_RESULTS: readonly [RegExp, string][] = [
  [/维持/, 'upheld'],
  [/纠正/, 'corrected'],
  [/尚未审结|未审结|审理中/, 'pending'],
];
/** T4 counts must be about open-government matters (a 司法局 also reports the reviews it decides). */
const ABOUT_OPENNESS = /公开/;
/** A heading over the T4 prose: short, naming 公开 and 复议 or 诉讼. */
export const T4_HEADING = /^.{0,30}公开.{0,10}(复议|诉讼).{0,20}$/;

function t4Kind(text: string): ReadingState['lastKind'] {
  const r = REVIEW.test(text);
  const l = LITIGATION.test(text);
  return r && l ? 'both' : r ? 'review' : l ? 'litigation' : null;
}

// ---------------------------------------------------------------- T2

const REGULATIONS = /规章(?!制度)/;
const NORMATIVE_DOCS = /规范性文件/;
const T2_COLUMNS: readonly [RegExp, string][] = [
  [/现行有效/, 'in_force'],
  [/废止/, 'repealed'],
  [/制发|印发|出台/, 'issued'], // 2021 template: 本年制发件数
  [/新制作|制定/, 'made'], // 2019 template: 本年新制作数量
  [/新公开/, 'published'], // 2019 template: 本年新公开数量
];
/** Not the T2 count: 规范性文件类信息68条, 清理/审查/备案/解读规范性文件, 累计制发. */
const NOT_T2 = /信息|清理|审查|备案|解读|征求意见|累计|历年|以来/;

// ---------------------------------------------------------------- T3

type Group = 'denied' | 'unable' | 'rejected' | 'other';

/** The template's group names （三）…（六）. */
const GROUPS: readonly [RegExp, Group][] = [
  [/不予以?公开/, 'denied'],
  [/无法提供/, 'unable'],
  [/不予处理/, 'rejected'],
  [/其他处理/, 'other'],
];

/**
 * Sub-rows by the words of their template label. Only wording the template itself uses:
 * colloquial names (申请信息不存在, 不属于本机关负责公开, 非政府信息) may cover several rows —
 * the seed's 申请信息不存在 2 + 不属于本行政机关负责公开 1 = unable_not_held 3.
 */
const SUB_ROWS: readonly [RegExp, string, Group][] = [
  [/国家秘密/, 'denied_state_secret', 'denied'],
  [/禁止公开/, 'denied_prohibited', 'denied'],
  [/三安全一稳定/, 'denied_security', 'denied'],
  [/第三方合法权益/, 'denied_third_party', 'denied'],
  [/内部事务信息/, 'denied_internal', 'denied'],
  [/过程性信息/, 'denied_process', 'denied'],
  [/行政执法案卷/, 'denied_enforcement', 'denied'],
  [/行政查询事项/, 'denied_query', 'denied'],
  [/本机关不掌握/, 'unable_not_held', 'unable'],
  [/没有现成信息|另行制作/, 'unable_must_create', 'unable'],
  [/补正后.*仍不明确/, 'unable_unclear', 'unable'],
  [/信访举报投诉|投诉类/, 'rejected_petition', 'rejected'],
  [/重复申请/, 'rejected_repeat', 'rejected'],
  [/公开出版物/, 'rejected_publication', 'rejected'],
  [/大量反复申请/, 'rejected_excessive', 'rejected'],
  [/确认或重新出具|重新出具/, 'rejected_confirm', 'rejected'],
  [/逾期不补正/, 'other_no_correction', 'other'],
  [/收费通知|缴纳费用/, 'other_no_fee', 'other'],
];

const GRANTED = /(?<!不)(予以公开|同意公开|全部公开)/;
const PARTIAL = /部分公开/;
const CARRIED_OVER = /上一?年度?结转|往年结转/;
/** 结转/顺延到下年度: 四、结转下年度继续办理 (顺延…答复 is answered next year, not this one). */
const CARRIED_FORWARD =
  /(结转|顺延|延续)(至|到)?(下一?年|下年度|20\d\d年)|转入下一?年|仍在办理|正在办理|尚在办理|尚未办结|未办结|办理中/;
const PROCESSED = /办结|答复|办理完毕|处理完毕|已处理/;
/**
 * A subset of the answered ones, not their number: 按时办结98件 (of 100), 延期答复2件. The seed's
 * 9件已按期答复 is all of them, but only the numbers around it say so. (及时 "promptly" is no subset.)
 */
const PROCESSED_SUBSET = /按时|按期|逾期|超期|延期/;
const RECEIVE = /收到|受理|接收|接到|新收|收悉/;
const NEW = /新收/;

/** 申请人 columns of T3, by their printed labels. */
const APPLICANTS: readonly [RegExp, string][] = [
  [/自然人/, 'natural_person'],
  [/商业企业/, 'commercial'],
  [/科研机构/, 'research'],
  [/社会公益组织/, 'social_org'],
  [/法律服务机构/, 'legal_service'],
  [/法人或其他组织|法人和其他组织|法人或其它组织|法人/, 'legal'],
];

/** How a request came in (no table cell; checked for its share and as parts of the total). */
const CHANNELS: readonly [RegExp, string][] = [
  [/当面|现场/, '当面'],
  [/信函|邮寄/, '信函'],
  [/电子邮件|邮箱/, '电子邮件'],
  [/网络|网上|在线|网站|互联网/, '网络'],
  [/传真/, '传真'],
];

/** T3 counts are counted in these words (never 个: 1个受理点, 15个工作日). */
const T3_UNITS = /^(件|宗|起|份|条|例)$/;
const T2_UNITS = /^(件|份|个)$/;
const T4_UNITS = /^(件|宗|起|例)$/;

const first = <T>(table: readonly [RegExp, T, ...unknown[]][], text: string): T | null =>
  table.find(([re]) => re.test(text))?.[1] ?? null;

/** Left of the count first (予以公开4件), else right of it (9件已按期答复). */
function near<T>(w: Window, test: (text: string) => T | null): T | null {
  return test(w.left) ?? test(w.right);
}

/** The quantity a count speaks of, or null. Updates the reading state. */
export function classify(w: Window, unit: string, state: ReadingState): string | null {
  if (DELTA.test(w.clause)) return null;

  // T4 first: 被申请行政复议 mentions 申请 but is no T3 matter.
  const kindHere = t4Kind(w.clause);
  if (kindHere) state.lastKind = kindHere;
  const result = near(w, (t) => first(T4_RESULTS, t));
  if (kindHere || (result && state.lastKind)) {
    const kind = kindHere ?? state.lastKind;
    if (kind === 'both' || !T4_UNITS.test(unit) || !(ABOUT_OPENNESS.test(w.sentence) || w.underT4Heading)) return null;
    return `t4.${kind}.${result ?? 'total'}`;
  }

  // T2: 规章 / 规范性文件 with the verb that names the column.
  const reg = REGULATIONS.test(w.clause);
  const docs = NORMATIVE_DOCS.test(w.clause);
  if (reg || docs) {
    if ((reg && docs) || !T2_UNITS.test(unit) || NOT_T2.test(w.clause)) return null;
    const col = first(T2_COLUMNS, w.clause);
    return col ? `t2.${reg ? 'regulations' : 'normative_docs'}.${col}` : null;
  }

  if (!T3_UNITS.test(unit) || !w.aboutRequests) return null;
  const row = t3Row(w);
  if (row) {
    state.lastRow = row;
    return row;
  }
  const requestHere = REQUEST.test(w.clause);
  if (OTHER_OBJECTS.test(w.clause)) return null;

  // 自然人申请72件 / 涉及自然人72件 after 收到申请75件: a column of the received row.
  const applicant = first(APPLICANTS, w.left);
  if (applicant) {
    const receivedRow = state.lastRow === 't3.new_received' ? 't3.new_received' : 't3.received';
    if (
      state.lastRow === 't3.received' ||
      state.lastRow === 't3.new_received' ||
      (state.lastRow === null && requestHere)
    ) {
      return `${receivedRow}@${applicant}`;
    }
    return null;
  }
  const channel = first(CHANNELS, w.left);
  if (channel && requestHere) return `channel.${channel}`;
  return null;
}

/** A T3 row or group named next to the count. */
function t3Row(w: Window): string | null {
  const sub = near(w, (t) => SUB_ROWS.find(([re]) => re.test(t)) ?? null);
  if (sub) {
    const [, row, group] = sub;
    // 因本机关不掌握等原因无法提供265件: the sub-row, or the whole group? Both are recorded.
    const groupToo = GROUPS.some(([re, g]) => g === group && re.test(w.clause));
    return groupToo ? `t3.${row}|t3.group.${group}` : `t3.${row}`;
  }
  if (OTHER_OBJECTS.test(w.clause)) return null;
  const group = near(w, (t) => first(GROUPS, t));
  if (group) return `t3.group.${group}`;
  const granted = near(w, (t) => (GRANTED.test(t) || PARTIAL.test(t) ? t : null));
  if (granted) {
    if (GRANTED.test(granted) && PARTIAL.test(granted)) return 't3.granted_partial';
    return PARTIAL.test(granted) ? 't3.partial' : 't3.granted';
  }
  // The rest needs the sentence itself to speak of requests (办结 is also said of 建议, 诉求).
  if (!REQUEST.test(w.sentence)) return null;
  if (near(w, (t) => (CARRIED_OVER.test(t) ? t : null))) return 't3.carried_over';
  if (near(w, (t) => (CARRIED_FORWARD.test(t) ? t : null))) return 't3.carried_forward';
  const processed = near(w, (t) => (PROCESSED.test(t) ? t : null));
  if (processed) {
    if (PROCESSED_SUBSET.test(processed)) return null;
    return 't3.total_processed';
  }
  // 共受理政府信息公开申请10件, 共收到70件申请: the verb before the count, 申请 on either side.
  if (RECEIVE.test(w.left) && REQUEST.test(w.left + w.right) && !first(APPLICANTS, w.left)) {
    return NEW.test(w.left) ? 't3.new_received' : 't3.received';
  }
  return null;
}

// ---------------------------------------------------------------- shares

/**
 * The base a share names, as a quantity the rules can look up; the printed words when it is
 * unclear which total is meant (never checked then).
 */
export function resolveBase(base: string, quantity: string | null): string {
  const receivedSide = quantity !== null && (quantity.startsWith('channel.') || /^t3\.(new_)?received@/.test(quantity));
  if (/答复|办结|处理/.test(base)) return 't3.total_processed';
  if (/申请|收到|受理/.test(base)) return receivedSide ? 't3.received' : 't3.received|t3.total_processed';
  if (/^(总数|总量|总件数)$/.test(base) && receivedSide) return 't3.received';
  return base;
}

/** Families of quantities: a 其中 list only sums parts of one family. */
export function family(quantity: string | null): string {
  if (quantity === null) return 'other';
  if (quantity.startsWith('channel.')) return 'channel';
  if (quantity.includes('@')) return 'applicant';
  if (quantity.startsWith('t4.')) return 't4';
  if (quantity.startsWith('t2.')) return 't2';
  if (/^t3\.(received|new_received|carried_over|total_processed|carried_forward)$/.test(quantity)) return 'flow';
  return 'result';
}

/** A catch-all item closes a list: 其他途径公开343条. */
export const CATCH_ALL = /其他|其它|其余/;
/** Words that open a list of parts of the count before them. */
export const PARTS_MARKER = /^(其中|包括|涉及)/;
/** The count before a 其中 is a total when said so (共/合计) or right before it. */
export const TOTAL_WORD = /(?<!公)共|合计|总计|累计|总数/;
