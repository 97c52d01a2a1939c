/**
 * A document's failure reason (reports.error, "stage: reason" in English: a contract of the
 * warehouse) as the Chinese pages show it. The stage is always translated; the reasons the
 * readers give are translated by pattern; a reason not known here says so in Chinese and keeps
 * its English words after it, so nothing is hidden.
 */
const STAGES: Readonly<Record<string, string>> = {
  discover: '查找文件',
  fetch: '下载',
  crawl: '抓取',
  sniff: '判断文件类型',
  read: '读取',
  decode: '解码',
  recognise: '识别统计表',
  extract: '提取',
  load: '入库',
  rules: '核对',
};

const REASONS: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^empty file$/, () => '空文件'],
  [/^a zip archive that cannot be read/, () => '无法读取的 zip 压缩包（文件不完整或已损坏）'],
  [/^a zip that would inflate to (\d+) MB/, (m) => `解压后将达 ${m[1]} MB 的 zip 文件（疑为压缩炸弹）`],
  [/^an Office file that is not a Word document/, () => '不是 Word 文档的 Office 文件'],
  [/^a zip archive that is not a DOCX/, () => '不是 DOCX 的 zip 压缩包'],
  [/^a PDF\b/, () => 'PDF 文件（暂不支持：PDF 中的表格无法可靠读取）'],
  [/^a legacy Word \.doc/, () => '旧版 Word .doc 或其他 OLE 文件（请另存为 .docx）'],
  [/^an image\b/, () => '图片，不是报告'],
  [/^an RTF file/, () => 'RTF 文件（请另存为 .docx）'],
  [/^binary data/, () => '既不是 DOCX、HTML 也不是文本的二进制数据'],
  [/^unrecognised content$/, () => '无法识别的内容'],
  [/^file is ([\d.]+) MB, over the (\d+) MB limit/, (m) => `文件大小 ${m[1]} MB，超过 ${m[2]} MB 的上限`],
  [/^not a readable DOCX/, () => '无法读取的 DOCX 文件'],
  [/^no table in the document/, () => '文档中没有表格（表格印成了图片，或不是年度报告）'],
  [/^none of T2, T3, T4 found among (\d+) tables/, (m) => `在 ${m[1]} 张表格中未找到表二、表三、表四`],
  [
    /^((?:T[234](?:, )?)+) not found$/,
    (m) =>
      `未找到${m[1]
        .split(', ')
        .map((t) => `表${'二三四'[Number(t[1]) - 2]}`)
        .join('、')}`,
  ],
];

/** "read: file is 100.0 MB, over the 50 MB limit" → "读取：文件大小 100.0 MB，超过 50 MB 的上限". */
export function reasonZh(error: string | null | undefined): string {
  if (!error) return '';
  const m = /^([a-z]+): ([\s\S]*)$/.exec(error);
  const stage = m ? (STAGES[m[1]] ?? null) : null;
  const reason = stage ? m![2] : error;
  for (const [pattern, zh] of REASONS) {
    const hit = pattern.exec(reason);
    if (hit) return `${stage ? `${stage}：` : ''}${zh(hit)}`;
  }
  return `${stage ? `${stage}：` : ''}其他原因（原文：${reason}）`;
}
