/**
 * Speed check, not a timed test: parses an export of 5,000 entries with 10 items each and prints
 * how long it took. Off in the normal run (it spends ~5 s building the file); run it with
 *   WORKBOOK_SPEED_CHECK=1 npx jest services/catalog/src/workbook/confirmation-workbook.speed --selectProjects unit
 */
import { CatalogMetadata, DATA_DOMAINS } from '@gov/shared';
import { parseConfirmationWorkbook } from './confirmation-workbook.parser';
import { buildCatalogWorkbook, ExportEntry } from './confirmation-workbook.writer';

const ENTRIES = 5_000;
const ITEMS_PER_ENTRY = 10;
const check = process.env.WORKBOOK_SPEED_CHECK === '1' ? it : it.skip;

check(`parses ${ENTRIES} entries with ${ITEMS_PER_ENTRY} items each`, async () => {
  const domains = DATA_DOMAINS.map(({ code, label }) => ({ code, label }));
  const entries: ExportEntry[] = Array.from({ length: ENTRIES }, (_, i) => ({
    resourceCode: `101001/${String(i + 1).padStart(6, '0')}`,
    systemName: '市场主体登记系统',
    metadata: {
      classification: { classCode: '1', itemCode: '02', categoryCode: '001' },
      name: `市场主体登记信息 ${i + 1}`,
      abstract: `第 ${i + 1} 条目录：企业、个体工商户等市场主体的登记信息`,
      format: { classCode: '3', type: 'PostgreSQL' },
      share: { type: 'CONDITIONAL', condition: '仅限履行监管职责使用', methodClass: 'PLATFORM', methodType: 'API' },
      open: { type: 'NOT_OPEN', basis: '涉及商业秘密' },
      updateCycle: 'DAILY',
      publishDate: '2026-11-24',
      relatedResourceCodes: ['101001/000001'],
      securityGrade: 'L2',
      domainCode: '01',
      tags: ['企业', '登记'],
      items: Array.from({ length: ITEMS_PER_ENTRY }, (_, j) => ({ name: `信息项 ${j + 1}`, dataType: 'C', length: 20 + j, description: `第 ${j + 1} 个信息项`, personal: j % 2 === 0 })),
    } satisfies CatalogMetadata,
  }));

  let started = Date.now();
  const file = await buildCatalogWorkbook(entries, { domains });
  const exportMs = Date.now() - started;

  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    started = Date.now();
    const parsed = await parseConfirmationWorkbook(file, { domains });
    runs.push(Date.now() - started);
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries).toHaveLength(ENTRIES);
    expect(parsed.entries[ENTRIES - 1].metadata).toEqual(entries[ENTRIES - 1].metadata);
  }
  // eslint-disable-next-line no-console
  console.log(`目录确认表: ${ENTRIES} entries / ${ENTRIES * ITEMS_PER_ENTRY} items, ${(file.length / 1024 / 1024).toFixed(1)} MB; export ${exportMs} ms; parse ${runs.join(' / ')} ms`);
}, 120_000);
