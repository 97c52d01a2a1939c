/**
 * The agency hierarchy CSV: read with its aliases; a bad file is a clear error naming the file
 * and the line, raised before the run writes anything.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { loadAgencies } from '../../pipeline/rules/index.js';
import { makeInput, query, readSample, runOn, tempDir } from '../helpers.js';

const dir = tempDir('agencies-');
function csv(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('loadAgencies', () => {
  it('reads agencies, parents (by name or alias), levels and aliases', () => {
    const path = csv(
      'ok.csv',
      '\uFEFFagency,parent,region,level,aliases\r\n某市人民政府,,某市,市级,\r\n某市教育局,某市人民政府,某市,部门,某市教育委员会|某市教委\r\n\r\n某市教育局附属中心,某市教委,某市,事业单位,\r\n',
    );
    const h = loadAgencies(path);
    expect(h.agencies.map((a) => [a.agency, a.parent, a.parentNorm, a.level, a.aliases, a.line])).toEqual([
      ['某市人民政府', null, null, '市级', [], 2],
      ['某市教育局', '某市人民政府', '某市人民政府', '部门', ['某市教育委员会', '某市教委'], 3],
      ['某市教育局附属中心', '某市教委', '某市教育局', '事业单位', [], 5],
    ]);
  });

  it('reads a GBK file without the optional aliases column', () => {
    const path = csv('gbk.csv', iconv.encode('agency,parent,region,level\n甲县人民政府,,甲县,县级\n', 'gbk'));
    expect(loadAgencies(path).agencies.map((a) => a.agency)).toEqual(['甲县人民政府']);
  });

  it('requires the header', () => {
    const path = csv('noheader.csv', '甲县人民政府,,甲县,县级\n');
    expect(() => loadAgencies(path)).toThrow(
      `${path}: line 1: the header must name the columns agency,parent,region,level`,
    );
    const partial = csv('partial.csv', 'agency,parent\n甲,\n');
    expect(() => loadAgencies(partial)).toThrow(
      `${partial}: line 1: the header must name the columns agency,parent,region,level (optional: aliases, region_code); missing region,level`,
    );
  });

  it('names the line of an unknown parent', () => {
    const path = csv(
      'unknown.csv',
      'agency,parent,region,level\n甲县人民政府,,甲县,县级\n甲县教育局,甲县政府,甲县,部门\n',
    );
    expect(() => loadAgencies(path)).toThrow(
      `${path}: line 3: parent "甲县政府" of "甲县教育局" is not listed as an agency`,
    );
  });

  it('names the line of a cycle', () => {
    const path = csv('cycle.csv', 'agency,parent,region,level\n甲,,x,1\n乙,丙,x,2\n丙,丁,x,3\n丁,乙,x,4\n');
    expect(() => loadAgencies(path)).toThrow(`${path}: line 3: cycle in the hierarchy: 乙 → 丙 → 丁 → 乙`);
    const self = csv('self.csv', 'agency,parent,region,level\n甲,甲,x,1\n');
    expect(() => loadAgencies(self)).toThrow(`${self}: line 2: cycle in the hierarchy: 甲 → 甲`);
  });

  it('names the line of a duplicate agency or alias', () => {
    const dup = csv('dup.csv', 'agency,parent,region,level\n甲县人民政府,,甲县,县级\n甲县 人民政府,,甲县,县级\n');
    expect(() => loadAgencies(dup)).toThrow(`${dup}: line 3: agency "甲县 人民政府" is already listed on line 2`);
    const alias = csv('alias.csv', 'agency,parent,region,level,aliases\n甲局,,x,1,乙局\n乙局,,x,1,\n');
    expect(() => loadAgencies(alias)).toThrow(`${alias}: line 2: alias "乙局" of "甲局" already names "乙局" (line 3)`);
  });

  it('names the line of a malformed row', () => {
    const path = csv('fields.csv', 'agency,parent,region,level\n甲,,x,1\n乙\n');
    expect(() => loadAgencies(path)).toThrow(`${path}: line 3: Too few fields`);
  });
});

describe('a run with a bad agency CSV', () => {
  it('fails with the CSV error and publishes nothing', async () => {
    const bad = csv(
      'run-bad.csv',
      'agency,parent,region,level\n北京市朝阳区教育委员会,北京市朝阳区人民政府,朝阳区,部门\n',
    );
    const work = tempDir('agencies-run-');
    const db = join(work, 'warehouse.duckdb');
    const input = makeInput({ 'seed.html': readSample('2020_北京市朝阳区教育委员会.html') });
    await expect(runOn(input, { db, agencies: bad })).rejects.toThrow(`${bad}: line 2: parent "北京市朝阳区人民政府"`);
    expect(existsSync(db)).toBe(false);
  });
});

describe('agency_names (sql/views.sql)', () => {
  it("maps every name and alias of the CSV to its agency: the one mapping the reports' region, the run's checks and agencies_missing read", async () => {
    const path = csv(
      'names.csv',
      'agency,parent,region,level,aliases\n朝阳区教育委员会新名,,朝阳区,部门,北京市朝阳区教育委员会\n',
    );
    const input = makeInput({
      'seed.html': readSample('2020_北京市朝阳区教育委员会.html'),
      'pt.html': readSample('2021_平潭综合实验区.html'),
    });
    const run = await runOn(input, { agencies: path });
    expect(await query(run.db, 'SELECT name_norm, agency, region, level FROM agency_names ORDER BY name_norm')).toEqual(
      [
        { name_norm: '北京市朝阳区教育委员会', agency: '朝阳区教育委员会新名', region: '朝阳区', level: '部门' },
        { name_norm: '朝阳区教育委员会新名', agency: '朝阳区教育委员会新名', region: '朝阳区', level: '部门' },
      ],
    );
    expect(await query(run.db, 'SELECT agency_norm, region FROM reports ORDER BY agency_norm')).toEqual([
      { agency_norm: '北京市朝阳区教育委员会', region: '朝阳区' },
      { agency_norm: '平潭综合实验区', region: null },
    ]);
    expect(await query(run.db, 'SELECT agency_norm FROM agencies_missing')).toEqual([
      { agency_norm: '平潭综合实验区' },
    ]);
    // XA.AGGREGATE can assess a listed agency only
    expect(
      await query(
        run.db,
        `SELECT reports_checked, reports_not_assessable FROM rule_results WHERE rule_id = 'XA.AGGREGATE'`,
      ),
    ).toEqual([{ reports_checked: 2, reports_not_assessable: 1 }]);
  });
});
