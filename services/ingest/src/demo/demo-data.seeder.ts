import { Readable } from 'node:stream';
import { organizationCodeCheckChar, SERVICE_RUNTIME, ServiceRuntime, usccCheckChar } from '@gov/shared';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Dataset } from '../datasets/dataset.entities';
import { JobRunner } from '../jobs/job-runner';
import { JobsService } from '../jobs/jobs.service';
import { RawFileStore } from '../uploads/raw-file.store';

const ROWS = 60;
const DISTRICTS = ['黄石港区', '西塞山区', '下陆区', '铁山区', '阳新县', '大冶市'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙';
const pad = (n: number, w: number) => String(n).padStart(w, '0');

function creditCode(i: number): string {
  const org = `MA4${pad(1000 + i * 7, 5)}`;
  const first17 = `91420200${org}${organizationCodeCheckChar(org)}`;
  return first17 + usccCheckChar(first17);
}

/**
 * Sample rows for the demo catalog's open entries (same names as the catalog's demo entries), so a
 * new user finds data to preview, download, request and audit. Generated, not real: names of people
 * are masked as open-data portals publish them, addresses stop at the street.
 */
const DEMO_DATA: Record<string, () => string> = {
  市场主体登记信息: () =>
    ['统一社会信用代码,企业名称,法定代表人,营业执照号,成立日期,注册资本'].concat(
      Array.from({ length: ROWS }, (_, i) =>
        [creditCode(i), `示范${['恒通', '华远', '金盛', '新源', '鑫达', '博雅'][i % 6]}${['科技', '贸易', '建材', '物流'][i % 4]}有限公司${i + 1}`, `${SURNAMES[i % 12]}*${'明华军芳'[i % 4]}`, `420200${pad(600000 + i, 9)}`, `20${pad(10 + (i % 15), 2)}-${pad(1 + (i % 12), 2)}-${pad(1 + (i % 28), 2)}`, `${(i + 1) * 50}0000.00`].join(','),
      ),
    ).join('\n'),
  食品经营许可证信息: () =>
    ['许可证编号,经营者名称,经营场所,有效期至'].concat(
      Array.from({ length: ROWS }, (_, i) => [`JY1420200${pad(100000 + i, 7)}`, `示范市${DISTRICTS[i % 6]}${['便民', '惠民', '家家乐', '好邻居'][i % 4]}超市`, `示范市${DISTRICTS[i % 6]}${['团城山', '胜阳港', '铁山', '东岳'][i % 4]}街道`, `202${7 + (i % 3)}-${pad(1 + (i % 12), 2)}-28`].join(',')),
    ).join('\n'),
  公交线路及站点信息: () =>
    ['线路名称,站点名称,经度,纬度,首末班时间'].concat(
      Array.from({ length: ROWS }, (_, i) => [`${1 + (i % 12)}路`, `${['客运站', '万达广场', '市政府', '人民医院', '团城山', '湖师大'][i % 6]}${Math.floor(i / 6) + 1}站`, (115.03 + i * 0.001).toFixed(6), (30.2 + i * 0.0007).toFixed(6), '06:00-21:30'].join(',')),
    ).join('\n'),
  医疗机构执业登记信息: () =>
    ['医疗机构名称,执业许可证登记号,地址,诊疗科目,有效期至'].concat(
      Array.from({ length: ROWS }, (_, i) => [`示范市${DISTRICTS[i % 6]}${['社区卫生服务中心', '中心卫生院', '口腔诊所', '中医门诊部'][i % 4]}${i + 1}`, `PDY${pad(42020000 + i, 8)}`, `示范市${DISTRICTS[i % 6]}`, ['全科医疗科', '口腔科', '中医科', '预防保健科'][i % 4], `202${8 + (i % 2)}-12-31`].join(',')),
    ).join('\n'),
};

/**
 * With SEED_DEMO_CATALOG (embedded mode's first start), loads sample rows into the demo entries'
 * datasets once they exist and have never been loaded. Runs in the background: the catalog's demo
 * entries reach ingest through events a moment after start.
 */
@Injectable()
export class DemoDataSeeder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DemoDataSeeder.name);
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
    private readonly raw: RawFileStore,
    private readonly jobs: JobsService,
    private readonly runner: JobRunner,
  ) {}

  onApplicationBootstrap(): void {
    if (this.runtime.settings.extra?.SEED_DEMO_CATALOG !== 'true') return;
    void this.seedWhenReady().catch((e) => this.logger.warn(`demo data not loaded: ${e.message}`));
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  async seedWhenReady(timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const names = Object.keys(DEMO_DATA);
    let loaded = 0;
    const done = new Set<string>();
    while (!this.stopped && done.size < names.length && Date.now() < deadline) {
      const datasets = await this.db.getRepository(Dataset).createQueryBuilder('d').where('d.name IN (:...names)', { names }).getMany();
      for (const d of datasets) {
        if (done.has(d.name)) continue;
        done.add(d.name);
        const [{ jobs }] = await this.db.query(`SELECT count(*)::int AS jobs FROM ingest.job WHERE dataset_id = $1`, [d.id]);
        if (jobs > 0 || d.currentVersion) continue; // loaded before, or by someone: never twice
        const stored = await this.raw.store(Readable.from([Buffer.from(DEMO_DATA[d.name](), 'utf8')]));
        await this.db.transaction((m) =>
          this.jobs.enqueue(m, d, 'upload', { kind: 'upload', fileName: `${d.name}（示例数据）.csv`, sha256: stored.sha256, size: stored.size, objectKey: stored.objectKey }, null),
        );
        loaded++;
      }
      this.runner.nudge();
      if (done.size < names.length) await new Promise((r) => setTimeout(r, 1000));
    }
    if (loaded) this.logger.log(`demo data queued for ${loaded} dataset(s)`);
    return loaded;
  }
}
