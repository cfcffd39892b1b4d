import type { CatalogMetadata } from '@gov/shared';

/** 数源部门 of the default data elements in the demo city. */
export const DEMO_ELEMENT_SOURCES: Record<string, string> = {
  USCC: 'scjg',
  ENTERPRISE_NAME: 'scjg',
  LEGAL_REPRESENTATIVE: 'scjg',
  CITIZEN_ID_NUMBER: 'gaj',
  PERSON_NAME: 'gaj',
  REAL_ESTATE_UNIT_NUMBER: 'zrzy',
};

export interface DemoEntry {
  dept: string;
  system: string;
  metadata: Omit<CatalogMetadata, 'systemId'>;
}

const item = (name: string, dataType: string, length?: number, personal = false) => ({ name, dataType, ...(length ? { length } : {}), personal });

/** A few published entries so search, statistics and the open catalog have something to show. */
export const DEMO_ENTRIES: DemoEntry[] = [
  {
    dept: 'scjg',
    system: '市场主体登记管理系统',
    metadata: {
      classification: { classCode: '1', itemCode: '02', categoryCode: '001' },
      name: '市场主体登记信息',
      abstract: '全市企业、个体工商户、农民专业合作社的设立、变更、注销登记信息。',
      format: { classCode: '3', type: 'PostgreSQL' },
      items: [item('统一社会信用代码', 'C', 18), item('企业名称', 'C', 200), item('法定代表人', 'C', 50), item('营业执照号', 'C', 30), item('成立日期', 'D'), item('注册资本', 'Y', 18)],
      share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
      open: { type: 'UNCONDITIONAL' },
      updateCycle: 'DAILY',
      securityGrade: 'L1',
      domainCode: '01',
      tags: ['营商环境'],
    },
  },
  {
    dept: 'scjg',
    system: '食品经营许可系统',
    metadata: {
      classification: { classCode: '2', itemCode: '04', categoryCode: '001' },
      name: '食品经营许可证信息',
      abstract: '食品经营许可证的核发、延续、变更和注销信息。',
      format: { classCode: '2', type: 'xlsx' },
      items: [item('许可证编号', 'C', 30), item('经营者名称', 'C', 200), item('经营场所', 'C', 300), item('有效期至', 'D')],
      share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'FILE' },
      open: { type: 'UNCONDITIONAL' },
      updateCycle: 'WEEKLY',
      securityGrade: 'L1',
      domainCode: '01',
    },
  },
  {
    dept: 'rsj',
    system: '社会保险业务系统',
    metadata: {
      classification: { classCode: '2', itemCode: '03', categoryCode: '001' },
      name: '社会保险参保缴费信息',
      abstract: '职工养老、失业、工伤保险的参保及缴费情况。',
      format: { classCode: '3', type: 'Oracle' },
      items: [
        { ...item('公民身份号码', 'C', 18, true), duplicateJustification: '参保登记时由参保人当面提供并核验，历史数据早于人口库建成' },
        { ...item('姓名', 'C', 50, true), duplicateJustification: '参保登记时由参保人当面提供并核验' },
        item('参保险种', 'C', 20), item('缴费基数', 'Y', 12), item('缴费年月', 'C', 6)],
      share: { type: 'CONDITIONAL', condition: '仅向承担社会保障、就业服务职能的部门提供，用于资格核验', methodClass: 'PLATFORM', methodType: 'API' },
      open: { type: 'NOT_OPEN', basis: '涉及个人隐私，依据《中华人民共和国个人信息保护法》不予开放' },
      updateCycle: 'MONTHLY',
      securityGrade: 'L3',
      domainCode: '02',
    },
  },
  {
    dept: 'jtj',
    system: '公共交通运营管理系统',
    metadata: {
      classification: { classCode: '2', itemCode: '01', categoryCode: '002' },
      name: '公交线路及站点信息',
      abstract: '全市公交线路走向、站点名称及经纬度。',
      format: { classCode: '6', type: 'JSON' },
      items: [item('线路名称', 'C', 50), item('站点名称', 'C', 100), item('经度', 'F', 12), item('纬度', 'F', 12), item('首末班时间', 'C', 20)],
      share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'FILE' },
      open: { type: 'UNCONDITIONAL' },
      updateCycle: 'MONTHLY',
      securityGrade: 'L1',
      domainCode: '04',
      tags: ['出行'],
    },
  },
  {
    dept: 'wjw',
    system: '医疗机构执业登记系统',
    metadata: {
      classification: { classCode: '2', itemCode: '02', categoryCode: '001' },
      name: '医疗机构执业登记信息',
      abstract: '医疗机构名称、地址、诊疗科目及执业许可证有效期。',
      format: { classCode: '3', type: 'MySQL' },
      items: [item('医疗机构名称', 'C', 200), item('执业许可证登记号', 'C', 30), item('地址', 'C', 300), item('诊疗科目', 'M', 2000), item('有效期至', 'D')],
      share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'DATABASE' },
      open: { type: 'UNCONDITIONAL' },
      updateCycle: 'QUARTERLY',
      securityGrade: 'L1',
      domainCode: '09',
    },
  },
  {
    dept: 'zrzy',
    system: '不动产登记信息管理平台',
    metadata: {
      classification: { classCode: '1', itemCode: '03', categoryCode: '001' },
      name: '不动产登记信息',
      abstract: '不动产权利及其他事项的登记信息。',
      format: { classCode: '3', type: 'Oracle' },
      items: [item('不动产单元号', 'C', 28), item('权利人', 'C', 100, true), item('坐落', 'C', 300), item('面积', 'N', 12)],
      share: { type: 'CONDITIONAL', condition: '仅向司法、税务、住房保障部门提供，用于办理相关业务', methodClass: 'PLATFORM', methodType: 'API' },
      open: { type: 'NOT_OPEN', basis: '依据《不动产登记暂行条例》第二十七条，仅限权利人及利害关系人查询' },
      updateCycle: 'REALTIME',
      securityGrade: 'L3',
      domainCode: '03',
    },
  },
];
