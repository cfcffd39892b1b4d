import { DEFAULT_NEAR_DUPLICATE_THRESHOLD } from './similarity';
import {
  CatalogueEntry,
  DEFAULT_DATA_ELEMENTS,
  DataElement,
  DataElementIndex,
  findNearDuplicates,
  findOneSourceConflicts,
} from './one-source';

const MARKET = 'dept-market'; // 市场监管局
const PUBLIC_SECURITY = 'dept-police'; // 公安局
const NATURAL_RESOURCES = 'dept-land'; // 自然资源局
const CIVIL_AFFAIRS = 'dept-civil'; // 民政局

const sourceOf: Record<string, string | null> = {
  USCC: MARKET,
  ENTERPRISE_NAME: MARKET,
  LEGAL_REPRESENTATIVE: MARKET,
  CITIZEN_ID_NUMBER: PUBLIC_SECURITY,
  PERSON_NAME: PUBLIC_SECURITY,
  REAL_ESTATE_UNIT_NUMBER: null, // 数源部门 not designated yet
};
const registry: DataElement[] = DEFAULT_DATA_ELEMENTS.map((e) => ({ ...e, sourceDeptId: sourceOf[e.code] }));

describe('DEFAULT_DATA_ELEMENTS', () => {
  it('has unique codes and names that do not collide across elements', () => {
    const codes = DEFAULT_DATA_ELEMENTS.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    const names = DEFAULT_DATA_ELEMENTS.flatMap((e) => [e.name, ...e.aliases]);
    expect(new Set(names).size).toBe(names.length);
    expect(DEFAULT_DATA_ELEMENTS.map((e) => e.name)).toEqual(
      expect.arrayContaining(['统一社会信用代码', '企业名称', '法定代表人', '公民身份号码', '姓名', '不动产单元号']),
    );
  });
});

describe('findOneSourceConflicts', () => {
  it('reports items whose element is sourced by another department', () => {
    const findings = findOneSourceConflicts(registry, CIVIL_AFFAIRS, [
      { name: '身份证号' },
      { name: '姓名' },
      { name: '低保金额' },
      { name: '统一社会信用代码' },
    ]);
    expect(findings).toEqual([
      { itemName: '身份证号', elementCode: 'CITIZEN_ID_NUMBER', elementName: '公民身份号码', sourceDeptId: PUBLIC_SECURITY },
      { itemName: '姓名', elementCode: 'PERSON_NAME', elementName: '姓名', sourceDeptId: PUBLIC_SECURITY },
      { itemName: '统一社会信用代码', elementCode: 'USCC', elementName: '统一社会信用代码', sourceDeptId: MARKET },
    ]);
  });

  it('says nothing to the source department itself', () => {
    expect(findOneSourceConflicts(registry, MARKET, [{ name: '企业名称' }, { name: '法定代表人' }])).toEqual([]);
  });

  it('ignores elements without a designated source department', () => {
    expect(findOneSourceConflicts(registry, NATURAL_RESOURCES, [{ name: '不动产单元号' }])).toEqual([]);
  });

  it('matches names after normalisation (full-width, punctuation, spaces)', () => {
    const findings = findOneSourceConflicts(registry, CIVIL_AFFAIRS, [{ name: '企业（机构）名称' }, { name: ' 法定代表人 ' }]);
    expect(findings.map((f) => f.elementCode)).toEqual(['ENTERPRISE_NAME', 'LEGAL_REPRESENTATIVE']);
  });

  it('prefers an explicit element code over the item name', () => {
    const findings = findOneSourceConflicts(registry, CIVIL_AFFAIRS, [
      { name: '申请人证件号', dataElementCode: 'CITIZEN_ID_NUMBER' },
      { name: '姓名', dataElementCode: 'USCC' },
    ]);
    expect(findings).toEqual([
      { itemName: '申请人证件号', elementCode: 'CITIZEN_ID_NUMBER', elementName: '公民身份号码', sourceDeptId: PUBLIC_SECURITY },
      { itemName: '姓名', elementCode: 'USCC', elementName: '统一社会信用代码', sourceDeptId: MARKET },
    ]);
  });

  it('falls back to the name when the explicit code is not registered', () => {
    const findings = findOneSourceConflicts(registry, CIVIL_AFFAIRS, [{ name: '身份证号码', dataElementCode: 'NO_SUCH_CODE' }]);
    expect(findings.map((f) => f.elementCode)).toEqual(['CITIZEN_ID_NUMBER']);
  });

  it('accepts a prebuilt index, where the first element to claim a name keeps it', () => {
    const index = new DataElementIndex<DataElement>([
      ...registry,
      { code: 'OTHER_NAME', name: '姓名', aliases: [], sourceDeptId: CIVIL_AFFAIRS },
    ]);
    expect(index.byItemName('姓名')?.code).toBe('PERSON_NAME');
    expect(findOneSourceConflicts(index, CIVIL_AFFAIRS, [{ name: '姓名' }])[0].sourceDeptId).toBe(PUBLIC_SECURITY);
  });
});

describe('findNearDuplicates', () => {
  const candidate: CatalogueEntry = {
    id: 'r-new',
    deptId: CIVIL_AFFAIRS,
    name: '企业登记信息',
    itemNames: ['统一社会信用代码', '企业名称', '法定代表人', '成立日期'],
  };
  const others: CatalogueEntry[] = [
    { id: 'r-1', deptId: MARKET, name: '企业注册登记数据', itemNames: ['社会信用代码', '企业名称', '法人代表', '成立日期'] },
    { id: 'r-2', deptId: MARKET, name: '道路运输车辆', itemNames: ['车牌号码', '车辆类型'] },
    { id: 'r-3', deptId: CIVIL_AFFAIRS, name: '企业登记信息表', itemNames: ['企业名称'] },
    { id: 'r-4', deptId: PUBLIC_SECURITY, name: '企业登记信息' },
    { id: 'r-new', deptId: MARKET, name: '企业登记信息' },
  ];

  it('returns scored pairs across departments, best first', () => {
    const pairs = findNearDuplicates(candidate, others, DEFAULT_NEAR_DUPLICATE_THRESHOLD, { elements: DEFAULT_DATA_ELEMENTS });
    expect(pairs.map((p) => p.otherId)).toEqual(['r-4', 'r-1']);
    expect(pairs[0]).toMatchObject({ candidateId: 'r-new', otherDeptId: PUBLIC_SECURITY, score: 1, nameScore: 1, itemScore: null });
    expect(pairs[1].score).toBeGreaterThanOrEqual(0.6);
  });

  it('counts aliases of one data element as the same item when given the elements', () => {
    const plain = findNearDuplicates(candidate, [others[0]], 0)[0];
    const withElements = findNearDuplicates(candidate, [others[0]], 0, { elements: DEFAULT_DATA_ELEMENTS })[0];
    expect(plain.itemScore).toBeCloseTo(2 / 6);
    expect(withElements.itemScore).toBe(1);
    expect(withElements.score).toBeGreaterThan(plain.score);
    // Without the elements, 法人代表/法定代表人 look different and r-1 stays under the default threshold.
    expect(plain.score).toBeLessThan(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
    expect(findNearDuplicates(candidate, [others[0]]).length).toBe(0);
  });

  it('honours the threshold', () => {
    expect(findNearDuplicates(candidate, others, 1.01)).toEqual([]);
    expect(findNearDuplicates(candidate, others, 0).map((p) => p.otherId)).toEqual(['r-4', 'r-1', 'r-2']);
  });
});
