import { planColumns, rowMasker, scrubText } from './masking-plan';

describe('masking plan', () => {
  const columns = [
    { name: '姓名', type: 'text' },
    { name: '公民身份号码', type: 'text' },
    { name: '联系手机', type: 'numeric' },
    { name: '备注', type: 'text' },
    { name: '特殊', type: 'text' },
    { name: '金额', type: 'numeric' },
  ];
  const items = [
    { name: '姓名', personal: true },
    { name: '公民身份号码', personal: true, masking: 'idNumber' as const },
    { name: '联系手机', personal: true },
    { name: '备注' },
    { name: '特殊', personal: true },
    { name: '金额' },
  ];

  it('gives personal items their rule, inferred from the name when missing, else hides everything', () => {
    const plan = planColumns(columns, items);
    expect(plan.map((p) => p.mask)).toEqual(['chineseName', 'idNumber', 'mobile', null, 'full', null]);
    expect(plan[2].type).toBe('text');
    expect(plan[5].type).toBe('numeric');
  });

  it('masks personal values and scrubs ID and mobile numbers out of other text', () => {
    const mask = rowMasker(planColumns(columns, items));
    expect(mask(['段正淳', '11010519491231002X', '13812345678', '联系人身份证 11010519491231002X 电话13812345678', '秘密', '12.5'])).toEqual([
      '段**',
      '1***************2X',
      '138****5678',
      '联系人身份证 1***************2X 电话138****5678',
      '**',
      '12.5',
    ]);
    expect(mask([null, '', null, null, null, null])).toEqual([null, '', null, null, null, null]);
  });

  it('leaves codes that are not ID numbers alone', () => {
    expect(scrubText('统一社会信用代码 91420200MA49XXXX0X')).toBe('统一社会信用代码 91420200MA49XXXX0X');
    expect(scrubText('订单号 123456789012345678')).toBe('订单号 123456789012345678');
  });
});
