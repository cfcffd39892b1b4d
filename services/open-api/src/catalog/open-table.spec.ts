import { planColumns } from './masking-plan';
import { dataTableName, masksMore } from './open-table';

describe('open tables', () => {
  const columns = [
    { name: '门店名称', type: 'text' },
    { name: '联系人', type: 'text' },
  ];
  const items = (personal: boolean) => [
    { name: '门店名称', dataType: 'C' },
    { name: '联系人', dataType: 'C', personal },
  ] as Parameters<typeof planColumns>[1];

  it('withdraws the loaded table when the next plan masks a column it serves in the clear', () => {
    const loaded = planColumns(columns, items(false));
    expect(masksMore(loaded, planColumns(columns, items(true)))).toBe(true);
    // Discovery withholding an unflagged column is masking more too.
    expect(masksMore(loaded, planColumns(columns, items(false), ['联系人']))).toBe(true);
  });

  it('keeps serving the loaded table when the next plan masks less or the same', () => {
    const masked = planColumns(columns, items(true));
    expect(masksMore(masked, planColumns(columns, items(false)))).toBe(false);
    expect(masksMore(masked, planColumns(columns, items(true)))).toBe(false);
  });

  it('names one table per load generation, so a new load never touches the served table', () => {
    const id = '0b691296-8aba-4b38-8b9f-aa0a2ba28533';
    expect(dataTableName(id, 2, 1, 3)).toBe('od_0b6912968aba4b388b9faa0a2ba28533_2_1_3');
    expect(dataTableName(id, 2, 1, 4)).not.toBe(dataTableName(id, 2, 1, 3));
    expect(() => dataTableName('x; DROP TABLE y', 1, 1, 1)).toThrow();
  });
});
