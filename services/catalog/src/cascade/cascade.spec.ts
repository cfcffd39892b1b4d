import { OPEN_TYPE_CODES, UPDATE_CYCLE_CODES } from '@gov/shared';
import { demoCreditCode } from '../demo/demo-city.seeder';
import { checkEntries, readDocument } from './cascade-import.validation';
import { canonicalJson, CascadeExportEntry, departmentLevelFor, isRegionWithin, parseByteSize } from './cascade.format';
import { ACCESS_RIGHT_OF, dcatDataset, FREQUENCY_OF, JSON_LD_CONTEXT } from './dcat';
import { cascadeSettingsFrom } from './platform-identity';

describe('regions', () => {
  it.each([
    ['420702', '420700', true],
    ['420700', '420000', true],
    ['420702', '420000', true],
    ['420700', '420700', false],
    ['420802', '420700', false],
    ['430100', '420000', false],
    ['420703', '420702', false],
    ['42070', '420700', false],
  ])('%s lies within %s: %s', (child, parent, expected) => expect(isRegionWithin(child, parent)).toBe(expected));

  it('registers providers of a county-level region as district departments, of a city as city ones', () => {
    expect(departmentLevelFor('420702')).toBe('district');
    expect(departmentLevelFor('420700')).toBe('city');
  });
});

describe('helpers', () => {
  it('compares metadata whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: null }], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [2, { e: null, f: 1 }] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });

  it('reads byte sizes', () => {
    expect(parseByteSize('256mb')).toBe(256 * 1024 * 1024);
    expect(parseByteSize('64KB')).toBe(65536);
    expect(parseByteSize('1000')).toBe(1000);
    expect(() => parseByteSize('lots')).toThrow();
  });

  it('validates its settings at boot', () => {
    expect(cascadeSettingsFrom({})).toMatchObject({ platformRegion: undefined, importLimit: '256mb' });
    expect(cascadeSettingsFrom({ CATALOG_PLATFORM_REGION: '420700', CATALOG_CASCADE_IMPORT_LIMIT: '1gb' })).toMatchObject({ platformRegion: '420700', importLimitBytes: 1024 ** 3 });
    expect(() => cascadeSettingsFrom({ CATALOG_PLATFORM_REGION: '4207' })).toThrow(/CATALOG_PLATFORM_REGION/);
    expect(() => cascadeSettingsFrom({ CATALOG_CASCADE_IMPORT_LIMIT: 'big' })).toThrow(/CATALOG_CASCADE_IMPORT_LIMIT/);
  });
});

describe('DCAT-AP mapping', () => {
  it('maps every update cycle and open type', () => {
    for (const c of UPDATE_CYCLE_CODES) expect(FREQUENCY_OF[c]).toMatch(/^[A-Z_0-9]+$/);
    for (const t of OPEN_TYPE_CODES) expect(['PUBLIC', 'RESTRICTED', 'NON_PUBLIC']).toContain(ACCESS_RIGHT_OF[t]);
    expect(FREQUENCY_OF.HALF_YEARLY).toBe('ANNUAL_2');
    expect(ACCESS_RIGHT_OF.NOT_OPEN).toBe('NON_PUBLIC');
  });

  const entry: CascadeExportEntry = {
    resourceCode: '101001/000007',
    sourceRegion: '420702',
    version: 3,
    publishedAt: '2026-03-02T08:00:00.000Z',
    provider: { name: '示范区数据局', creditCode: demoCreditCode('420702', 0), regionCode: '420702', level: 'district' },
    metadata: {
      name: '人口基础信息',
      abstract: '摘要',
      format: { classCode: '2', type: 'xlsx' },
      open: { type: 'NOT_OPEN', basis: '涉及个人信息' },
      updateCycle: 'YEARLY',
      domainCode: '09',
      tags: [],
      items: [{ name: '姓名', dataType: 'C', length: 50, personal: true }],
    },
  };

  it('builds a dataset with standard terms and gov: terms, leaving out what is empty', () => {
    const ds = dcatDataset(entry, { id: 'https://x/api/catalog/entries/1', domainLabels: new Map() });
    expect(ds).toMatchObject({
      '@type': 'dcat:Dataset',
      'dct:identifier': '101001/000007',
      'dct:issued': { '@value': '2026-03-02', '@type': 'xsd:date' },
      'owl:versionInfo': '3',
      'dct:accrualPeriodicity': { '@id': 'http://publications.europa.eu/resource/authority/frequency/ANNUAL' },
      'dct:accessRights': { '@id': 'http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC' },
      'dcat:theme': { '@id': 'gov:domain/09', 'skos:notation': '09' },
      'gov:openBasis': { '@value': '涉及个人信息', '@language': 'zh' },
      'gov:dataItem': [{ 'gov:name': { '@value': '姓名' }, 'gov:dataType': 'C', 'gov:length': 50, 'gov:personal': true }],
    });
    expect((ds['dcat:distribution'] as Record<string, unknown>[])[0]).toMatchObject({
      'dct:format': { '@id': 'gov:formatClass/2', 'skos:prefLabel': { '@value': '电子表格' } },
      'dcat:mediaType': { '@id': 'https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
    });
    expect(ds).not.toHaveProperty('dcat:keyword');
    expect(ds).not.toHaveProperty('gov:shareType');
    expect((ds['dcat:theme'] as object)).not.toHaveProperty('skos:prefLabel');
    for (const prefix of ['dcat', 'dct', 'foaf', 'skos', 'owl', 'xsd', 'gov']) expect(JSON_LD_CONTEXT).toHaveProperty(prefix);
  });
});

describe('import checks', () => {
  const doc = (entries: unknown[]) => ({ format: 'govdata-catalog-export', formatVersion: 1, platform: { regionCode: '420702' }, entries });
  const valid = {
    resourceCode: '101001/000007',
    version: 1,
    publishedAt: '2026-03-02T16:00:00+08:00',
    provider: { name: '示范区数据局', creditCode: demoCreditCode('420702', 0), regionCode: '420702' },
    metadata: { name: '人口基础信息', systemId: '00000000-0000-4000-8000-000000000001', abstract: '', tags: ['a'] },
  };

  it('reads the document and refuses another format', () => {
    expect(readDocument(doc([])).source).toEqual({ regionCode: '420702', name: undefined, exportedAt: undefined });
    expect(() => readDocument({ ...doc([]), format: 'x' })).toThrow(expect.objectContaining({ code: 'CASCADE_FORMAT_UNSUPPORTED' }));
    expect(() => readDocument({ ...doc([]), platform: { regionCode: '4207' } })).toThrow(expect.objectContaining({ code: 'CASCADE_FORMAT_UNSUPPORTED' }));
    expect(() => readDocument({ ...doc([]), entries: {} })).toThrow(expect.objectContaining({ code: 'CASCADE_FORMAT_UNSUPPORTED' }));
  });

  it('takes a valid entry, defaulting its source region and dropping the exporter’s local references and empty strings', async () => {
    const { entries, problems } = await checkEntries([valid], '420702');
    expect(problems).toEqual([]);
    expect(entries[0]).toMatchObject({ index: 0, resourceCode: '101001/000007', sourceRegion: '420702', publishedAt: new Date('2026-03-02T08:00:00Z') });
    expect(entries[0].metadata).toEqual({ name: '人口基础信息', tags: ['a'] });
  });

  it('names the entry and field of every problem', async () => {
    const { entries, problems } = await checkEntries(
      [null, { ...valid, provider: { ...valid.provider, regionCode: '420800' }, metadata: { name: ' ', unknownField: 1 } }],
      '420702',
    );
    expect(entries).toEqual([]);
    expect(problems.map((p) => `${p.field} ${p.code}`)).toEqual([
      'entries[0] ENTRY_INVALID',
      'entries[1].provider.regionCode PROVIDER_REGION_INVALID',
      'entries[1].metadata.unknownField METADATA_INVALID',
      'entries[1].metadata.name METADATA_NAME_REQUIRED',
    ]);
    expect(problems.every((p) => /[\u4e00-\u9fa5]/.test(p.zh) && p.en.length > 0)).toBe(true);
  });
});
