import { DomainException } from '@gov/shared';
import { HttpStatus } from '@nestjs/common';

const e = (code: string, status: HttpStatus, zh: string, en: string, ext: Record<string, unknown> = {}) => new DomainException(code, status, { zh, en }, ext);

/** Stable codes of the open-api service (clients switch on them). */
export const OpenErrors = {
  datasetNotFound: (id: string) => e('OPEN_DATASET_NOT_FOUND', HttpStatus.NOT_FOUND, `开放数据集不存在或已下架：${id.slice(0, 40)}`, `No such open dataset (or retired): ${id.slice(0, 40)}`),
  noData: () => e('OPEN_DATASET_NO_DATA', HttpStatus.NOT_FOUND, '该数据集尚未发布数据', 'This dataset has no published data yet'),
  keyRequired: () => e('OPEN_KEY_REQUIRED', HttpStatus.UNAUTHORIZED, '记录查询接口须使用 API 密钥（X-API-Key），请注册开发者并创建应用', 'The records API needs an API key (X-API-Key); register as a developer and create an app'),
  conditionalNeedsKey: () =>
    e('OPEN_CONDITIONAL_KEY_REQUIRED', HttpStatus.UNAUTHORIZED, '有条件开放数据须使用已获批准的应用密钥访问', 'Conditionally open data needs the API key of an approved app'),
  conditionalNotApproved: () =>
    e('OPEN_CONDITIONAL_NOT_APPROVED', HttpStatus.FORBIDDEN, '该应用没有此有条件开放数据集的有效授权，请先提交申请', 'This app has no valid approval for this conditionally open dataset; apply first'),
  anonymousTooLarge: (max: number) =>
    e('OPEN_ANONYMOUS_LIMIT', HttpStatus.UNAUTHORIZED, `匿名用户只能下载 ${max} 行以内的数据，请注册并使用 API 密钥`, `Anonymous users may download up to ${max} rows; register and use an API key`, { maxRows: max }),
  downloadTooLarge: (max: number) => e('OPEN_DOWNLOAD_LIMIT', HttpStatus.FORBIDDEN, `当前等级单次最多下载 ${max} 行，请登记大规模利用`, `Your tier may download up to ${max} rows at once; register large-volume use`, { maxRows: max }),
  badFormat: (f: string) => e('OPEN_BAD_FORMAT', HttpStatus.BAD_REQUEST, `不支持的格式：${f.slice(0, 20)}（可用 csv、xlsx、json）`, `Unsupported format: ${f.slice(0, 20)} (csv, xlsx, json)`),
  badEncoding: (f: string) => e('OPEN_BAD_ENCODING', HttpStatus.BAD_REQUEST, `不支持的编码：${f.slice(0, 20)}（可用 utf-8、gbk）`, `Unsupported encoding: ${f.slice(0, 20)} (utf-8, gbk)`),
  badRange: () => e('OPEN_RANGE_NOT_SATISFIABLE', HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, '请求的字节范围无效', 'Requested range not satisfiable'),
  blacklisted: (what: string) => e('OPEN_BLACKLISTED', HttpStatus.FORBIDDEN, `已被列入黑名单（${what}），如有异议请联系数据主管部门`, `Blacklisted (${what}); contact the data bureau to appeal`),
  rateLimited: (retryAfter: number, scope: string) =>
    e('OPEN_RATE_LIMITED', HttpStatus.TOO_MANY_REQUESTS, `请求过于频繁（${scope}），请 ${retryAfter} 秒后重试`, `Too many requests (${scope}); retry in ${retryAfter} s`, { retryAfterSeconds: retryAfter, scope }),
  quotaExceeded: (retryAfter: number, scope: string) =>
    e('OPEN_QUOTA_EXCEEDED', HttpStatus.TOO_MANY_REQUESTS, `今日调用额度已用完（${scope}），额度将于 ${retryAfter} 秒后重置；大规模利用请登记`, `Daily quota used up (${scope}); it resets in ${retryAfter} s; register large-volume use for more`, { retryAfterSeconds: retryAfter, scope }),
  emailTaken: () => e('OPEN_EMAIL_TAKEN', HttpStatus.CONFLICT, '该邮箱已注册', 'This e-mail is already registered'),
  badLogin: () => e('OPEN_BAD_LOGIN', HttpStatus.UNAUTHORIZED, '邮箱或密码错误', 'Wrong e-mail or password'),
  developerRequired: () => e('OPEN_DEVELOPER_REQUIRED', HttpStatus.UNAUTHORIZED, '请先以开发者身份登录', 'Log in as a developer first'),
  appNotFound: () => e('OPEN_APP_NOT_FOUND', HttpStatus.NOT_FOUND, '应用不存在', 'App not found'),
  keyNotFound: () => e('OPEN_KEY_NOT_FOUND', HttpStatus.NOT_FOUND, '密钥不存在', 'Key not found'),
  keyRevoked: () => e('OPEN_KEY_REVOKED', HttpStatus.CONFLICT, '密钥已吊销', 'The key is already revoked'),
  notConditional: () => e('OPEN_NOT_CONDITIONAL', HttpStatus.UNPROCESSABLE_ENTITY, '该数据集为无条件开放，无需申请', 'This dataset is open without conditions; no application needed'),
  badCreditCode: (why: string) => e('OPEN_BAD_CREDIT_CODE', HttpStatus.UNPROCESSABLE_ENTITY, `统一社会信用代码无效：${why}`, `Invalid unified social credit code: ${why}`),
  applicationNotFound: () => e('OPEN_APPLICATION_NOT_FOUND', HttpStatus.NOT_FOUND, '申请不存在', 'Application not found'),
  applicationDecided: () => e('OPEN_APPLICATION_DECIDED', HttpStatus.CONFLICT, '该申请已处理', 'This application has been decided'),
  decisionIncomplete: (zh: string, en: string) => e('OPEN_DECISION_INCOMPLETE', HttpStatus.UNPROCESSABLE_ENTITY, zh, en),
  applicationPending: () => e('OPEN_APPLICATION_PENDING', HttpStatus.CONFLICT, '该应用对此数据集已有待审核的申请', 'This app already has a pending application for this dataset'),
  feedbackNotFound: () => e('OPEN_FEEDBACK_NOT_FOUND', HttpStatus.NOT_FOUND, '反馈不存在', 'Feedback not found'),
  notYourDepartment: () => e('OPEN_NOT_YOUR_DEPARTMENT', HttpStatus.FORBIDDEN, '只能处理本部门提供的数据的事项', 'You may only handle matters of your own department\'s data'),
  registrationNotFound: () => e('OPEN_REGISTRATION_NOT_FOUND', HttpStatus.NOT_FOUND, '登记不存在', 'Registration not found'),
  unknownTier: (t: string) => e('OPEN_UNKNOWN_TIER', HttpStatus.UNPROCESSABLE_ENTITY, `未知等级：${t.slice(0, 20)}`, `Unknown tier: ${t.slice(0, 20)}`),
  releaseRefused: (offending: readonly string[], k: number, requiredK: number) =>
    e(
      'OPEN_RELEASE_REFUSED_K_ANONYMITY',
      HttpStatus.FORBIDDEN,
      `该数据集当前版本未予开放：准标识符组合（${offending.join(' + ')}）的最小分组仅 ${k} 条记录，低于开放要求的 ${requiredK}，存在重新识别个人的风险，请提供部门泛化处理后重新发布`,
      `The current version of this dataset is withheld: the quasi-identifiers ${offending.join(' + ')} leave groups of ${k} record(s), below the required ${requiredK}, so people could be re-identified; the provider must generalise the data and publish again`,
      { offending, k, requiredK },
    ),
  blacklistNotFound: () => e('OPEN_BLACKLIST_NOT_FOUND', HttpStatus.NOT_FOUND, '黑名单记录不存在', 'Blacklist entry not found'),
};
