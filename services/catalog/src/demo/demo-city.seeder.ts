import { hashPassword, organizationCodeCheckChar, SERVICE_RUNTIME, ServiceRuntime, StaffRole, usccCheckChar } from '@gov/shared';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EntriesService } from '../entries/entries.service';
import { IdentityService } from '../identity/identity.service';
import { InformationSystem } from '../systems/information-system.entity';
import { DEMO_ELEMENT_SOURCES, DEMO_ENTRIES } from './demo-catalog';
import { Department } from '../organization/department.entity';
import { OrganizationService } from '../organization/organization.service';

export const DEMO_PASSWORD = 'Demo@2026';
const CITY_REGION = '420700';
const DISTRICT_REGION = '420702';

/** The demo city's departments: [short code, name]. 数据局 comes first: it hosts admin and auditor. */
const CITY_DEPARTMENTS: [string, string][] = [
  ['sjj', '示范市数据局'],
  ['scjg', '示范市市场监督管理局'],
  ['rsj', '示范市人力资源和社会保障局'],
  ['gaj', '示范市公安局'],
  ['wjw', '示范市卫生健康委员会'],
  ['jtj', '示范市交通运输局'],
  ['zrzy', '示范市自然资源和规划局'],
  ['sthj', '示范市生态环境局'],
  ['jyj', '示范市教育局'],
  ['mzj', '示范市民政局'],
  ['zjj', '示范市住房和城乡建设局'],
  ['czj', '示范市财政局'],
  ['nyj', '示范市农业农村局'],
  ['yjj', '示范市应急管理局'],
  ['wlj', '示范市文化和旅游局'],
  ['ybj', '示范市医疗保障局'],
  ['slj', '示范市水利和湖泊局'],
  ['sfj', '示范市司法局'],
  ['tjj', '示范市统计局'],
  ['sjsj', '示范市审计局'],
];

/** A valid 统一社会信用代码 for an organ of state (登记管理部门 1, 机关 1) built from an index. */
export function demoCreditCode(region: string, index: number): string {
  const orgBody = `0${String(7350000 + index * 37).padStart(7, '0')}`;
  const first17 = `11${region}${orgBody}${organizationCodeCheckChar(orgBody)}`;
  return first17 + usccCheckChar(first17);
}

/**
 * Creates the demo city (about 20 departments, a district, users of every role) so a new user
 * can try every flow at once. Idempotent: does nothing when departments already exist.
 */
@Injectable()
export class DemoCitySeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoCitySeeder');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organization: OrganizationService,
    private readonly identity: IdentityService,
    private readonly entries: EntriesService,
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.runtime.settings.extra?.SEED_DEMO === 'true') await this.seed();
  }

  async seed(): Promise<{ created: boolean; departments: number; users: number }> {
    if ((await this.dataSource.getRepository(Department).count()) > 0) return { created: false, departments: 0, users: 0 };
    // One hash for the shared demo password: hashing ~45 accounts one by one would slow the first start.
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    let users = 0;
    const deptIds = await this.dataSource.transaction(async (m) => {
      const ids = new Map<string, string>();
      for (const [i, [code, name]] of CITY_DEPARTMENTS.entries()) {
        const d = await this.organization.registerIn(m, { name, code, creditCode: demoCreditCode(CITY_REGION, i), regionCode: CITY_REGION, level: 'city' });
        ids.set(code, d.id);
      }
      const district = await this.organization.registerIn(m, {
        name: '示范区数据局',
        code: 'qsjj',
        creditCode: demoCreditCode(DISTRICT_REGION, 0),
        regionCode: DISTRICT_REGION,
        level: 'district',
        parentId: ids.get('sjj'),
      });
      ids.set('qsjj', district.id);
      const add = async (username: string, displayName: string, deptCode: string, roles: StaffRole[]) => {
        await this.identity.createIn(m, { username, displayName, password: DEMO_PASSWORD, deptId: ids.get(deptCode)!, roles }, { passwordHash });
        users++;
      };
      await add('admin', '数据局管理员', 'sjj', ['data_admin']);
      await add('auditor', '审计员', 'sjsj', ['auditor']);
      // 数据安全官 (安全官 → aqg): reads every department's security findings and refusals, changes nothing.
      await add('aqg', '数据安全官', 'sjj', ['security_officer']);
      for (const [code, name] of [...CITY_DEPARTMENTS, ['qsjj', '示范区数据局'] as [string, string]]) {
        await add(`${code}_op`, `${name}经办人`, code, ['dept_operator']);
        await add(`${code}_rev`, `${name}审核人`, code, ['dept_reviewer']);
      }
      return ids;
    });
    // The sample catalog is optional so tests can start from an empty one.
    const published = this.runtime.settings.extra?.SEED_DEMO_CATALOG === 'true' ? await this.seedCatalog(deptIds) : 0;
    this.logger.log(`demo city created: ${deptIds.size} departments, ${users} users, ${published} published catalog entries`);
    return { created: true, departments: deptIds.size, users };
  }

  /** 数源部门 of the common data elements and a few published entries, through the real review path. */
  private async seedCatalog(deptIds: Map<string, string>): Promise<number> {
    for (const [code, dept] of Object.entries(DEMO_ELEMENT_SOURCES))
      await this.dataSource.query(`UPDATE catalog.data_element SET source_dept_id = $1 WHERE code = $2`, [deptIds.get(dept), code]);
    const [{ id: adminId }] = await this.dataSource.query(`SELECT id FROM catalog.staff_user WHERE username = 'admin'`);
    const admin = { id: adminId, scope: { all: true } as const, isAdmin: true };
    const systems = this.dataSource.getRepository(InformationSystem);
    for (const demo of DEMO_ENTRIES) {
      const deptId = deptIds.get(demo.dept)!;
      const system = (await systems.findOneBy({ deptId, name: demo.system })) ?? (await systems.save(systems.create({ deptId, name: demo.system, description: null, createdBy: null })));
      const draft = await this.entries.create(admin, deptId, { ...demo.metadata, systemId: system.id });
      const errors = draft.working.findings.filter((f) => f.severity === 'error');
      if (errors.length > 0) throw new Error(`demo entry ${demo.metadata.name} is not compliant: ${errors.map((f) => `${f.field} ${f.zh}`).join('; ')}`);
      await this.entries.submit(admin, draft.id);
      await this.entries.approve(admin, draft.id, '示范数据');
    }
    return DEMO_ENTRIES.length;
  }
}
