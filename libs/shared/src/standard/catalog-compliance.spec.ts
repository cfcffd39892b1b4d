import type { CatalogMetadata, DataItem } from './catalog-metadata';
import { ComplianceContext, ComplianceFinding, checkCatalogCompliance, hasBlockingFindings } from './catalog-compliance';
import { DEFAULT_DATA_ELEMENTS, DataElement, DataElementIndex } from './one-source';

/**
 * 目录合规自检, rule by rule: each case changes one thing in a compliant entry and names the
 * findings it must produce (field + code), so a rule that stops firing or fires too widely fails.
 */

const OWN = 'dept-rsj'; // 人社局, the cataloguing department
const MARKET = 'dept-scjg'; // 市场监管局
const SYSTEM = 'system-rsj-1';

const elements: DataElement[] = DEFAULT_DATA_ELEMENTS.map((e) => ({
  ...e,
  sourceDeptId: e.code === 'USCC' || e.code === 'ENTERPRISE_NAME' ? MARKET : e.code === 'PERSON_NAME' ? OWN : null,
}));

const ctx = (over: Partial<ComplianceContext> = {}): ComplianceContext => ({
  deptId: OWN,
  systemIds: new Set([SYSTEM]),
  domainCodes: new Set(['01', '02', '04']),
  extraTopicItems: new Set(['213']),
  elements: new DataElementIndex(elements),
  elementSources: new Map([['USCC', { deptName: '示范市市场监督管理局', entryId: 'entry-1', entryName: '市场主体登记信息', resourceCode: '102001/000001' }]]),
  ...over,
});

/** A compliant database resource: the base every case starts from. */
const base = (): CatalogMetadata => ({
  classification: { classCode: '2', itemCode: '03', categoryCode: '001' },
  name: '就业登记信息',
  abstract: '本市劳动者就业、失业登记信息。',
  format: { classCode: '3', type: 'PostgreSQL' },
  items: [
    { name: '登记编号', dataType: 'C', length: 30 },
    { name: '登记日期', dataType: 'D' },
    { name: '从业人数', dataType: 'I', length: 10 },
  ],
  share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
  open: { type: 'UNCONDITIONAL' },
  updateCycle: 'MONTHLY',
  securityGrade: 'L1',
  domainCode: '02',
  systemId: SYSTEM,
  relatedResourceCodes: ['102001/000001'],
});

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** Sets (or, for undefined, deletes) a dotted path like `share.type` or `items.0.length`. */
function setPath(target: any, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  const last = keys[keys.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = value;
}

const withChanges = (changes: Record<string, unknown>, from: CatalogMetadata = base()): CatalogMetadata => {
  const m = clone(from);
  for (const [path, value] of Object.entries(changes)) setPath(m, path, value);
  return m;
};

const check = (m: CatalogMetadata, c: ComplianceContext = ctx()) => checkCatalogCompliance(m, c);
const brief = (findings: ComplianceFinding[]) => findings.map((f) => ({ field: f.field, code: f.code, severity: f.severity })).sort((a, b) => (a.field + a.code).localeCompare(b.field + b.code));
const err = (field: string, code: string) => ({ field, code, severity: 'error' });

it('a complete entry has no findings', () => {
  expect(check(base())).toEqual([]);
});

describe('required elements: each missing one is reported on its own field', () => {
  it.each([
    ['classification.classCode'],
    ['classification.itemCode'],
    ['classification.categoryCode'],
    ['name'],
    ['abstract'],
    ['format.classCode'],
    ['format.type'],
    ['share.type'],
    ['share.methodClass'],
    ['share.methodType'],
    ['open.type'],
    ['updateCycle'],
    ['securityGrade'],
    ['domainCode'],
    ['systemId'],
  ])('%s', (path) => {
    const findings = check(withChanges({ [path]: undefined }));
    expect(brief(findings)).toEqual([err(path, 'REQUIRED')]);
    expect(findings[0].zh).toMatch(/必填|须填写/);
  });

  it.each([['   '], ['']])('a blank value (%j) counts as missing', (blankValue) => {
    expect(brief(check(withChanges({ name: blankValue, abstract: blankValue })))).toEqual([err('abstract', 'REQUIRED'), err('name', 'REQUIRED')]);
  });

  it('an item without a name', () => {
    expect(brief(check(withChanges({ 'items.1.name': ' ' })))).toEqual([err('items[1].name', 'REQUIRED')]);
  });

  it.each([['2', 'xlsx'], ['3', 'MySQL'], ['6', 'json'], ['7', 'REST']])('format class %s must list its items', (classCode, type) => {
    const methodType = classCode === '2' || classCode === '6' ? 'FILE' : 'API';
    expect(brief(check(withChanges({ format: { classCode, type }, items: [], 'share.methodType': methodType })))).toEqual([err('items', 'ITEMS_REQUIRED')]);
  });

  it.each([['1', 'pdf'], ['4', 'png'], ['5', 'mp4']])('format class %s may have no items', (classCode, type) => {
    expect(check(withChanges({ format: { classCode, type }, items: [], 'share.methodType': 'FILE' }))).toEqual([]);
  });

  it('the share method is not required when the resource is not shared', () => {
    const m = withChanges({ share: { type: 'NOT_SHARED', basis: '依据《中华人民共和国保守国家秘密法》第二十八条' }, open: { type: 'NOT_OPEN' } });
    expect(check(m)).toEqual([]);
  });

  it('the platform method type is not required for e-mail or media sharing', () => {
    expect(check(withChanges({ share: { type: 'UNCONDITIONAL', methodClass: 'EMAIL' } }))).toEqual([]);
    expect(check(withChanges({ share: { type: 'UNCONDITIONAL', methodClass: 'MEDIA' } }))).toEqual([]);
  });
});

describe('enumerations and formats', () => {
  it.each([
    ['format.classCode', '9', 'format.classCode', 'ENUM_INVALID'],
    ['share.type', 'PARTIAL', 'share.type', 'ENUM_INVALID'],
    ['share.methodClass', 'FAX', 'share.methodClass', 'ENUM_INVALID'],
    ['share.methodType', 'FTP', 'share.methodType', 'ENUM_INVALID'],
    ['open.type', 'PARTIAL', 'open.type', 'ENUM_INVALID'],
    ['updateCycle', 'HOURLY', 'updateCycle', 'ENUM_INVALID'],
    ['securityGrade', 'L5', 'securityGrade', 'ENUM_INVALID'],
    ['nationalLevel', 'SECRET', 'nationalLevel', 'ENUM_INVALID'],
    ['publishDate', '2026/01/02', 'publishDate', 'DATE_INVALID'],
    ['publishDate', '2026-02-30x', 'publishDate', 'DATE_INVALID'],
    ['items.0.dataType', 'X', 'items[0].dataType', 'ENUM_INVALID'],
    ['items.0.masking', 'scramble', 'items[0].masking', 'ENUM_INVALID'],
    ['classification.itemCode', '09', 'classification', 'CLASSIFICATION_INVALID'],
  ])('%s = %j → %s %s', (path, value, field, code) => {
    const m = withChanges({ [path]: value, ...(path === 'classification.itemCode' ? { 'classification.classCode': '1' } : {}) });
    expect(brief(check(m))).toEqual([err(field, code)]);
  });

  it.each([['1', 'xlsx'], ['2', 'PostgreSQL'], ['2', 'csv']])('format class %s does not take the type %j', (classCode, type) => {
    const m = withChanges({ format: { classCode, type }, 'share.methodType': 'FILE' });
    expect(brief(check(m))).toEqual([err('format.type', 'FORMAT_TYPE_INVALID')]);
  });

  it.each([['1', 'PDF'], ['2', 'XLSX'], ['2', 'et']])('format class %s takes the type %j (case-insensitive)', (classCode, type) => {
    expect(check(withChanges({ format: { classCode, type }, 'share.methodType': 'FILE' }))).toEqual([]);
  });

  it('a well-formed publish date and national level pass', () => {
    expect(check(withChanges({ publishDate: '2026-01-02', nationalLevel: 'IMPORTANT' }))).toEqual([]);
  });
});

describe('有条件共享 needs a condition', () => {
  it('without a condition → error on share.condition', () => {
    const findings = check(withChanges({ 'share.type': 'CONDITIONAL' }));
    expect(brief(findings)).toEqual([err('share.condition', 'SHARE_CONDITION_REQUIRED')]);
    expect(findings[0].zh).toContain('共享条件');
  });
  it('a blank condition is no condition', () => {
    expect(brief(check(withChanges({ 'share.type': 'CONDITIONAL', 'share.condition': '  ' })))).toEqual([err('share.condition', 'SHARE_CONDITION_REQUIRED')]);
  });
  it('with a condition → compliant', () => {
    expect(check(withChanges({ 'share.type': 'CONDITIONAL', 'share.condition': '仅向人社、民政部门提供，用于资格核验' }))).toEqual([]);
  });
});

describe('不予共享 needs a basis that cites a law, regulation or central policy', () => {
  const notShared = (basis?: string) => withChanges({ share: { type: 'NOT_SHARED', ...(basis === undefined ? {} : { basis }) }, open: { type: 'NOT_OPEN' } });

  it('without a basis → SHARE_BASIS_REQUIRED', () => {
    expect(brief(check(notShared()))).toEqual([err('share.basis', 'SHARE_BASIS_REQUIRED')]);
  });

  it.each([['数据敏感'], ['涉及个人隐私，不宜共享'], ['领导要求不共享'], ['本单位内部规定不予共享'], ['存在法律风险'], ['依据相关法律法规规定']])('a vague basis %j is refused', (basis) => {
    const findings = check(notShared(basis));
    expect(brief(findings)).toEqual([err('share.basis', 'SHARE_BASIS_NOT_LEGAL')]);
    expect(findings[0].zh).toContain('法律、行政法规或党中央、国务院政策');
  });

  it.each([
    ['依据《中华人民共和国个人信息保护法》第十三条'],
    ['《中华人民共和国保守国家秘密法》'],
    ['依据《不动产登记暂行条例》第二十七条'],
    ['依据统计法第九条'],
    ['依据中华人民共和国统计法'],
    ['根据国务院关于政务信息资源共享管理的规定'],
    ['依据中共中央办公厅、国务院办公厅相关文件'],
  ])('a basis citing the law %j is accepted', (basis) => {
    expect(check(notShared(basis))).toEqual([]);
  });
});

describe('open attribute is not wider than the grade allows', () => {
  const personalItems: DataItem[] = [
    { name: '姓名', dataType: 'C', length: 50, personal: true, masking: 'chineseName' },
    { name: '手机号码', dataType: 'C', length: 11, personal: true },
    { name: '参保险种', dataType: 'C', length: 20, personal: false },
  ];
  const graded = (grade: string, open: Record<string, unknown>, items: DataItem[] = personalItems) =>
    withChanges({ securityGrade: grade, open, items: clone(items) });
  const conditional = { type: 'CONDITIONAL', condition: '经申请审批后，按最小必要原则开放' };

  it.each([['UNCONDITIONAL', {}], ['CONDITIONAL', conditional]])('L4 is never opened (%s)', (type, extra) => {
    const findings = check(graded('L4', { type, ...extra }, personalItems.map((i) => ({ ...i, masking: 'chineseName' as const }))));
    expect(brief(findings)).toEqual([err('open.type', 'OPEN_EXCEEDS_GRADE')]);
    expect(findings[0].zh).toContain('L4');
  });
  it('L4 not opened is compliant', () => {
    expect(check(graded('L4', { type: 'NOT_OPEN' }))).toEqual([]);
  });

  it.each([['L2'], ['L3']])('%s may not be opened unconditionally', (grade) => {
    const findings = check(graded(grade, { type: 'UNCONDITIONAL' }, [{ name: '参保险种', dataType: 'C', length: 20 }]));
    expect(brief(findings)).toEqual([err('open.type', 'OPEN_EXCEEDS_GRADE')]);
    expect(findings[0].zh).toContain('有条件开放');
  });

  it.each([['L2'], ['L3']])('%s opened under conditions: the personal item without masking is reported on that item only', (grade) => {
    const findings = check(graded(grade, conditional));
    expect(brief(findings)).toEqual([err('items[1].masking', 'PERSONAL_ITEM_UNMASKED')]);
    expect(findings[0].zh).toContain('手机号码');
  });

  it.each([['L2'], ['L3']])('%s opened under conditions with every personal item masked is compliant', (grade) => {
    const items = personalItems.map((i) => (i.personal ? { ...i, masking: 'mobile' as const } : i));
    expect(check(graded(grade, conditional, items))).toEqual([]);
  });

  it.each([['L2'], ['L3']])('%s not opened needs no masking', (grade) => {
    expect(check(graded(grade, { type: 'NOT_OPEN' }))).toEqual([]);
  });

  it.each([['UNCONDITIONAL', {}], ['CONDITIONAL', conditional], ['NOT_OPEN', {}]])('L1 may be opened in any way (%s), unmasked personal items included', (type, extra) => {
    expect(check(graded('L1', { type, ...extra }))).toEqual([]);
  });

  it('有条件开放 needs a condition', () => {
    expect(brief(check(withChanges({ open: { type: 'CONDITIONAL' } })))).toEqual([err('open.condition', 'OPEN_CONDITION_REQUIRED')]);
  });
});

describe('a resource that is not shared cannot be opened', () => {
  it.each([['UNCONDITIONAL', {}], ['CONDITIONAL', { condition: '经审批后开放' }]])('NOT_SHARED + %s → OPEN_WIDER_THAN_SHARE', (type, extra) => {
    const m = withChanges({ share: { type: 'NOT_SHARED', basis: '依据《中华人民共和国个人信息保护法》第十三条' }, open: { type, ...extra } });
    expect(brief(check(m))).toEqual([err('open.type', 'OPEN_WIDER_THAN_SHARE')]);
  });
});

describe('share method type consistent with the format', () => {
  const FORMAT_TYPE: Record<string, string> = { '1': 'pdf', '2': 'xlsx', '3': 'Oracle', '4': 'png', '5': 'mp4', '6': 'json', '7': 'REST' };
  const cases: [string, string, boolean][] = [
    ['1', 'FILE', true],
    ['1', 'API', false],
    ['1', 'DATABASE', false],
    ['2', 'FILE', true],
    ['2', 'API', false],
    ['2', 'DATABASE', false],
    ['3', 'DATABASE', true],
    ['3', 'API', true],
    ['3', 'FILE', false],
    ['4', 'FILE', true],
    ['4', 'API', false],
    ['5', 'FILE', true],
    ['5', 'DATABASE', false],
    ['6', 'FILE', true],
    ['6', 'API', false],
    ['7', 'API', true],
    ['7', 'FILE', false],
    ['7', 'DATABASE', false],
  ];
  it.each(cases)('format class %s shared by %s → allowed: %s', (classCode, methodType, allowed) => {
    const findings = check(withChanges({ format: { classCode, type: FORMAT_TYPE[classCode] }, 'share.methodType': methodType }));
    if (allowed) expect(findings).toEqual([]);
    else expect(brief(findings)).toEqual([err('share.methodType', 'SHARE_METHOD_FORMAT_MISMATCH')]);
  });

  it('the message names the allowed method types', () => {
    const [f] = check(withChanges({ 'share.methodType': 'FILE' }));
    expect(f.zh).toContain('数据库或接口');
  });
});

describe('items of structured formats have a type and a length', () => {
  const items = (list: DataItem[]) => ({ items: list });

  it.each([['2', 'xlsx', 'FILE'], ['3', 'PostgreSQL', 'API']])('format %s: missing type and missing length are reported per item', (classCode, type, methodType) => {
    const m = withChanges({
      format: { classCode, type },
      'share.methodType': methodType,
      ...items([
        { name: '登记编号' },
        { name: '单位名称称', dataType: 'C' },
        { name: '从业人数', dataType: 'N', length: 0 },
        { name: '金额', dataType: 'Y', length: 1.5 },
        { name: '备注', dataType: 'M', length: 2000 },
      ]),
    });
    expect(brief(check(m))).toEqual([
      err('items[0].dataType', 'REQUIRED'),
      err('items[1].length', 'ITEM_LENGTH_REQUIRED'),
      err('items[2].length', 'ITEM_LENGTH_REQUIRED'),
      err('items[3].length', 'ITEM_LENGTH_REQUIRED'),
    ]);
  });

  it.each([['D'], ['T'], ['L']])('fixed-size type %s needs no length', (dataType) => {
    expect(check(withChanges(items([{ name: '字段', dataType }])))).toEqual([]);
  });

  it.each([['C'], ['N'], ['Y'], ['M'], ['G'], ['B'], ['I'], ['F']])('type %s needs a length', (dataType) => {
    expect(brief(check(withChanges(items([{ name: '字段', dataType }]))))).toEqual([err('items[0].length', 'ITEM_LENGTH_REQUIRED')]);
  });

  it.each([['6', 'json', 'FILE'], ['7', 'REST', 'API']])('format %s (not structured) needs neither type nor length', (classCode, type, methodType) => {
    expect(check(withChanges({ format: { classCode, type }, 'share.methodType': methodType, ...items([{ name: '站点名称' }, { name: '经度' }]) }))).toEqual([]);
  });
});

describe('duplicate item names', () => {
  it('the second item of the same name is reported, naming the first', () => {
    const m = withChanges({ items: [{ name: '登记编号', dataType: 'C', length: 30 }, { name: '登记日期', dataType: 'D' }, { name: ' 登记编号 ', dataType: 'C', length: 30 }] });
    const findings = check(m);
    expect(brief(findings)).toEqual([err('items[2].name', 'ITEM_DUPLICATE')]);
    expect(findings[0].zh).toContain('第 1 个');
  });
  it('distinct names pass', () => {
    expect(check(withChanges({ items: [{ name: '登记编号', dataType: 'C', length: 30 }, { name: '登记编号2', dataType: 'C', length: 30 }] }))).toEqual([]);
  });
});

describe('topic items beyond the 12 of the guideline need registration', () => {
  it.each([
    ['2', '12', []],
    ['2', '13', [err('classification.itemCode', 'TOPIC_ITEM_UNREGISTERED')]],
    ['2', '14', [err('classification.itemCode', 'TOPIC_ITEM_UNREGISTERED')]],
    ['2', '99', [err('classification.itemCode', 'TOPIC_ITEM_UNREGISTERED')]],
  ])('class %s item %s', (classCode, itemCode, expected) => {
    expect(brief(check(withChanges({ classification: { classCode, itemCode, categoryCode: '001' } }), ctx({ extraTopicItems: new Set() })))).toEqual(expected);
  });
  it('a registered topic item passes', () => {
    expect(check(withChanges({ 'classification.itemCode': '13' }))).toEqual([]);
  });
  it('class 1 and 3 items are not extensible: item 13 is invalid, not unregistered', () => {
    expect(brief(check(withChanges({ classification: { classCode: '1', itemCode: '13', categoryCode: '001' } })))).toEqual([err('classification', 'CLASSIFICATION_INVALID')]);
  });
});

describe('references to what the platform knows', () => {
  it('unknown domain', () => {
    const findings = check(withChanges({ domainCode: '99' }));
    expect(brief(findings)).toEqual([err('domainCode', 'DOMAIN_UNKNOWN')]);
    expect(findings[0].zh).toContain('99');
  });
  it('information system not registered by the department', () => {
    expect(brief(check(withChanges({ systemId: 'system-of-another-dept' })))).toEqual([err('systemId', 'SYSTEM_UNREGISTERED')]);
  });
  it('invalid related resource codes are reported one by one', () => {
    const m = withChanges({ relatedResourceCodes: ['102001/000001', '102001-000002', '199001/000001', '102001/', '301001001/42'] });
    expect(brief(check(m))).toEqual([
      err('relatedResourceCodes[1]', 'RESOURCE_CODE_INVALID'),
      err('relatedResourceCodes[2]', 'RESOURCE_CODE_INVALID'),
      err('relatedResourceCodes[3]', 'RESOURCE_CODE_INVALID'),
    ]);
  });
});

describe('一数一源', () => {
  const withItem = (item: DataItem) => withChanges({ items: [{ name: '登记编号', dataType: 'C', length: 30 }, item] });

  it('an element another department is the source of → error on the item, naming the source department and entry', () => {
    const findings = check(withItem({ name: '统一社会信用代码', dataType: 'C', length: 18 }));
    expect(brief(findings)).toEqual([err('items[1]', 'ONE_SOURCE_DUPLICATE')]);
    expect(findings[0].zh).toContain('示范市市场监督管理局');
    expect(findings[0].zh).toContain('市场主体登记信息');
    expect(findings[0].zh).toContain('102001/000001');
    expect(findings[0].detail).toMatchObject({ elementCode: 'USCC', sourceDeptId: MARKET, deptName: '示范市市场监督管理局', entryId: 'entry-1' });
    expect(hasBlockingFindings(findings)).toBe(true);
  });

  it.each([['社会信用代码'], ['信用代码'], [' 统一社会信用代码 ']])('matched by alias or normalised name: %j', (name) => {
    expect(brief(check(withItem({ name, dataType: 'C', length: 18 })))).toEqual([err('items[1]', 'ONE_SOURCE_DUPLICATE')]);
  });

  it('matched by an explicit element code whatever the item is called', () => {
    expect(brief(check(withItem({ name: '主体代码', dataType: 'C', length: 18, dataElementCode: 'USCC' })))).toEqual([err('items[1]', 'ONE_SOURCE_DUPLICATE')]);
  });

  it('without a known source entry the message still names the source department', () => {
    const findings = check(withItem({ name: '企业名称', dataType: 'C', length: 200 }), ctx({ elementSources: new Map() }));
    expect(brief(findings)).toEqual([err('items[1]', 'ONE_SOURCE_DUPLICATE')]);
    expect(findings[0].detail).toMatchObject({ elementCode: 'ENTERPRISE_NAME', sourceDeptId: MARKET });
  });

  it('with a justification → a warning, which does not block submission', () => {
    const findings = check(withItem({ name: '统一社会信用代码', dataType: 'C', length: 18, duplicateJustification: '办理业务时由单位当面提供并核验' }));
    expect(brief(findings)).toEqual([{ field: 'items[1]', code: 'ONE_SOURCE_DUPLICATE_JUSTIFIED', severity: 'warning' }]);
    expect(findings[0].detail).toMatchObject({ elementCode: 'USCC', sourceDeptId: MARKET });
    expect(hasBlockingFindings(findings)).toBe(false);
  });

  it('a blank justification is no justification', () => {
    expect(brief(check(withItem({ name: '统一社会信用代码', dataType: 'C', length: 18, duplicateJustification: '  ' })))).toEqual([err('items[1]', 'ONE_SOURCE_DUPLICATE')]);
  });

  it('the source department itself, and elements without a source department, are fine', () => {
    expect(check(withItem({ name: '姓名', dataType: 'C', length: 50 }))).toEqual([]); // PERSON_NAME: source is OWN
    expect(check(withItem({ name: '公民身份号码', dataType: 'C', length: 18 }))).toEqual([]); // no source designated
    expect(check(withItem({ name: '统一社会信用代码', dataType: 'C', length: 18 }), ctx({ deptId: MARKET }))).toEqual([]);
  });

  it('an explicit element code that is not registered', () => {
    expect(brief(check(withItem({ name: '许可证编号', dataType: 'C', length: 30, dataElementCode: 'NO_SUCH_ELEMENT' })))).toEqual([err('items[1].dataElementCode', 'DATA_ELEMENT_UNKNOWN')]);
  });
});

it('returns every finding of a badly filled entry at once', () => {
  const bad: CatalogMetadata = {
    classification: { classCode: '2', itemCode: '15', categoryCode: '001' },
    name: '企业用工信息',
    format: { classCode: '2', type: 'xlsx' },
    items: [
      { name: '统一社会信用代码', dataType: 'C' },
      { name: '职工人数' },
      { name: '职工人数', dataType: 'I', length: 8 },
      { name: '联系人手机', dataType: 'C', length: 11, personal: true },
    ],
    share: { type: 'CONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
    open: { type: 'CONDITIONAL', condition: '申请后开放' },
    updateCycle: 'MONTHLY',
    securityGrade: 'L3',
    domainCode: '77',
    systemId: 'unknown-system',
    relatedResourceCodes: ['bad-code'],
  };
  expect(brief(check(bad))).toEqual(
    brief([
      ['classification.itemCode', 'TOPIC_ITEM_UNREGISTERED'],
      ['abstract', 'REQUIRED'],
      ['items[0].length', 'ITEM_LENGTH_REQUIRED'],
      ['items[1].dataType', 'REQUIRED'],
      ['items[2].name', 'ITEM_DUPLICATE'],
      ['items[0]', 'ONE_SOURCE_DUPLICATE'],
      ['share.condition', 'SHARE_CONDITION_REQUIRED'],
      ['share.methodType', 'SHARE_METHOD_FORMAT_MISMATCH'],
      ['items[3].masking', 'PERSONAL_ITEM_UNMASKED'],
      ['relatedResourceCodes[0]', 'RESOURCE_CODE_INVALID'],
      ['domainCode', 'DOMAIN_UNKNOWN'],
      ['systemId', 'SYSTEM_UNREGISTERED'],
    ].map(([field, code]) => ({ field, code, severity: 'error', zh: '', en: '' }))),
  );
  const all = check(bad);
  expect(all.every((f) => /[\u4e00-\u9fa5]/.test(f.zh) && f.en.length > 0)).toBe(true);
});

it('an empty draft lists every required element, not just the first', () => {
  const fields = check({}, ctx()).map((f) => f.field);
  expect(fields).toEqual(
    expect.arrayContaining([
      'classification.classCode',
      'classification.itemCode',
      'classification.categoryCode',
      'name',
      'abstract',
      'format.classCode',
      'share.type',
      'open.type',
      'updateCycle',
      'securityGrade',
      'domainCode',
      'systemId',
    ]),
  );
});
