import { diffMetadata } from './metadata-diff';

describe('diffMetadata', () => {
  it('reports changed, added and removed fields, items by name', () => {
    const before = {
      name: '企业登记信息',
      share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
      items: [
        { name: '企业名称', dataType: 'C', length: 200 },
        { name: '注册资本', dataType: 'Y', length: 18 },
      ],
      tags: ['市场'],
    };
    const after = {
      name: '企业登记信息',
      share: { type: 'CONDITIONAL', condition: '仅限监管用途', methodClass: 'PLATFORM', methodType: 'API' },
      items: [
        { name: '注册资本', dataType: 'Y', length: 20 },
        { name: '企业名称', dataType: 'C', length: 200 },
        { name: '成立日期', dataType: 'D' },
      ],
      tags: ['市场'],
    };
    expect(diffMetadata(before, after)).toEqual([
      { field: 'items[成立日期].dataType', change: 'added', after: 'D' },
      { field: 'items[成立日期].name', change: 'added', after: '成立日期' },
      { field: 'items[注册资本].length', change: 'modified', before: 18, after: 20 },
      { field: 'share.condition', change: 'added', after: '仅限监管用途' },
      { field: 'share.type', change: 'modified', before: 'UNCONDITIONAL', after: 'CONDITIONAL' },
    ]);
  });

  it('finds nothing between equal versions and treats blank as absent', () => {
    expect(diffMetadata({ name: 'a', abstract: '' }, { name: 'a' })).toEqual([]);
    expect(diffMetadata({ tags: ['x'] }, { tags: [] })).toEqual([{ field: 'tags', change: 'removed', before: ['x'] }]);
  });
});
