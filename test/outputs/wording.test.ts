/**
 * How findings and failures read on the Chinese pages: sums neutrally (印为 A，各项之和为 B, never
 * "应为" of the total alone), prose-only findings without 表中, every failure reason in Chinese.
 */
import { describe, expect, it } from 'vitest';
import { reasonZh } from '../../pipeline/outputs/reasons.js';
import { wordingOf } from '../../pipeline/outputs/site/wording.js';
import { RULE_IDS } from '../../domain/rule-catalogue.js';

describe('wording of the arithmetic line', () => {
  it('states sums neutrally', () => {
    for (const rule of ['T3.ROW_TOTAL', 'T3.RESULT_TOTAL', 'T3.GROUP_SUBTOTAL', 'T4.TOTAL']) {
      expect(wordingOf(rule, 'T3')).toMatchObject({
        actual: '印为',
        expected: '各项之和为',
        cell: { label: '各项之和', arrow: false },
      });
    }
    for (const rule of RULE_IDS) expect(JSON.stringify(wordingOf(rule, 'T3')), rule).not.toMatch(/应为|按规则/);
  });
  it('never says 表中 for a finding from the prose alone', () => {
    expect(JSON.stringify(wordingOf('NARR.PARTS_SUM', null))).not.toContain('表');
    expect(JSON.stringify(wordingOf('NARR.PERCENT', null))).not.toContain('表');
    expect(wordingOf('NARR.PERCENT', 'T3')!.expected).toBe('按表计算为');
    expect(wordingOf('NARR.T3_CLAIM', 'T3')!.expected).toBe('表中为');
  });
});

describe('failure reasons', () => {
  it('are shown in Chinese, stage and reason', () => {
    const cases: [string, string][] = [
      ['sniff: empty file', '判断文件类型：空文件'],
      [
        'sniff: a zip that would inflate to 300 MB (zip bomb?)',
        '判断文件类型：解压后将达 300 MB 的 zip 文件（疑为压缩炸弹）',
      ],
      [
        'sniff: a PDF (not supported: tables in PDFs cannot be read reliably)',
        '判断文件类型：PDF 文件（暂不支持：PDF 中的表格无法可靠读取）',
      ],
      ['read: file is 100.0 MB, over the 50 MB limit', '读取：文件大小 100.0 MB，超过 50 MB 的上限'],
      [
        'recognise: no table in the document (tables printed as images, or not a report)',
        '识别统计表：文档中没有表格（表格印成了图片，或不是年度报告）',
      ],
      ['recognise: T3, T4 not found', '识别统计表：未找到表三、表四'],
      ['recognise: none of T2, T3, T4 found among 2 tables', '识别统计表：在 2 张表格中未找到表二、表三、表四'],
    ];
    for (const [error, zh] of cases) expect(reasonZh(error)).toBe(zh);
  });
  it('say in Chinese when a reason is not known, keeping its words', () => {
    expect(reasonZh('read: worker exited with code 1')).toBe('读取：其他原因（原文：worker exited with code 1）');
    expect(reasonZh(null)).toBe('');
  });
});
