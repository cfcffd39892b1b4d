import { DomainException } from '@gov/shared';
import { HttpStatus } from '@nestjs/common';

const e = (code: string, status: HttpStatus, zh: string, en: string, ext: Record<string, unknown> = {}) => new DomainException(code, status, { zh, en }, ext);

/** Stable codes of the sharing service; clients switch on `code`, people read the messages. */
export const SharingErrors = {
  entryNotFound: (id: string) => e('ENTRY_NOT_FOUND', HttpStatus.NOT_FOUND, `目录不存在或尚未发布：${id}`, `Catalog entry not found or not published: ${id}`),
  entryRetired: (name: string) => e('ENTRY_RETIRED', HttpStatus.CONFLICT, `目录"${name}"已下架，不能申请共享`, `The catalog entry "${name}" is retired and cannot be requested`),
  itemsUnknown: (names: string[]) =>
    e('REQUEST_ITEMS_UNKNOWN', HttpStatus.UNPROCESSABLE_ENTITY, `申请的信息项不在目录中：${names.join('、')}`, `Requested items are not in the catalog entry: ${names.join(', ')}`, { items: names }),
  ownData: () => e('REQUEST_OWN_DATA', HttpStatus.UNPROCESSABLE_ENTITY, '本部门的数据无需申请共享', 'Your own department’s data needs no share request'),
  periodInvalid: () => e('REQUEST_PERIOD_INVALID', HttpStatus.UNPROCESSABLE_ENTITY, '使用期限的结束日期须晚于开始日期，且不早于今天', 'The period of use must end after it starts and not before today'),
  cartEmpty: () => e('CART_EMPTY', HttpStatus.UNPROCESSABLE_ENTITY, '申请清单为空', 'The request cart is empty'),
  requestNotFound: (id: string) => e('REQUEST_NOT_FOUND', HttpStatus.NOT_FOUND, `共享申请不存在或无权查看：${id}`, `Share request not found: ${id}`),
  notProvider: () => e('NOT_PROVIDER_REVIEWER', HttpStatus.FORBIDDEN, '只有数据提供部门的审核人（或超期后数据局）可以答复该申请', 'Only a reviewer of the providing department (or the data bureau once overdue) may decide this request'),
  notRequester: () => e('NOT_REQUESTER', HttpStatus.FORBIDDEN, '只有申请部门可以执行此操作', 'Only the requesting department may do this'),
  withdrawn: () => e('REQUEST_WITHDRAWN', HttpStatus.CONFLICT, '申请已被申请部门撤回，不能再答复', 'The request was withdrawn by the requester and can no longer be decided'),
  alreadyDecided: (status: string) => e('REQUEST_ALREADY_DECIDED', HttpStatus.CONFLICT, `申请已处理（${status}），不能重复答复或撤回`, `The request is already ${status}`, { requestStatus: status }),
  refusalGroundRequired: () =>
    e('REFUSAL_GROUND_REQUIRED', HttpStatus.UNPROCESSABLE_ENTITY, '拒绝共享须引用法定事由（groundCode）并说明理由（text）：非因法定事由不得拒绝', 'A refusal must cite a legal ground (groundCode) and give reasons (text)'),
  refusalGroundUnknown: (code: string) => e('REFUSAL_GROUND_UNKNOWN', HttpStatus.UNPROCESSABLE_ENTITY, `法定事由不在维护清单中：${code}`, `Unknown legal ground: ${code}`),
  refusalGroundExists: (code: string) => e('REFUSAL_GROUND_EXISTS', HttpStatus.CONFLICT, `法定事由已存在：${code}`, `Legal ground already exists: ${code}`),
  extraCondition: () =>
    e('EXTRA_CONDITION_FORBIDDEN', HttpStatus.UNPROCESSABLE_ENTITY, '不得擅自增设共享条件：只能在目录共享条件内缩小信息项、行范围、期限或频次', 'Conditions beyond the catalog entry may not be added; only narrow items, rows, period or rate'),
  narrowerItems: (names: string[]) =>
    e('APPROVAL_ITEMS_NOT_REQUESTED', HttpStatus.UNPROCESSABLE_ENTITY, `同意的信息项须为申请信息项的子集：${names.join('、')}`, `Approved items must be a subset of the requested ones: ${names.join(', ')}`),
  narrowerPeriod: () => e('APPROVAL_PERIOD_WIDER', HttpStatus.UNPROCESSABLE_ENTITY, '同意的使用期限不能长于申请的期限', 'The approved period may not be longer than requested'),
  notEscalated: () => e('REQUEST_NOT_ESCALATED', HttpStatus.CONFLICT, '该申请未超期提交协调', 'The request has not been escalated'),
  grantNotFound: (id: string) => e('GRANT_NOT_FOUND', HttpStatus.NOT_FOUND, `共享授权不存在或无权查看：${id}`, `Grant not found: ${id}`),
  grantState: (status: string, action: string) => e('GRANT_STATE_CONFLICT', HttpStatus.CONFLICT, `授权当前为"${status}"，不能${action}`, `The grant is ${status}; cannot ${action}`, { status }),
  grantRenewInvalid: () => e('GRANT_RENEW_INVALID', HttpStatus.UNPROCESSABLE_ENTITY, '续期的截止日期须晚于当前截止日期', 'A renewal must move the end date later'),
  credentialNotFound: (id: string) => e('GRANT_CREDENTIAL_NOT_FOUND', HttpStatus.NOT_FOUND, `授权凭证不存在：${id}`, `Grant credential not found: ${id}`),
  credentialRevoked: () => e('GRANT_CREDENTIAL_REVOKED', HttpStatus.CONFLICT, '该凭证已吊销或已轮换，请轮换当前有效的凭证', 'The credential is revoked or already rotated; rotate the current one'),
  credentialMissing: () => e('GRANT_CREDENTIAL_MISSING', HttpStatus.UNAUTHORIZED, '缺少共享授权凭证（X-Grant-Key）', 'Missing grant credential (X-Grant-Key)'),
  credentialInvalid: () => e('GRANT_CREDENTIAL_INVALID', HttpStatus.UNAUTHORIZED, '共享授权凭证无效或已吊销', 'Grant credential invalid or revoked'),
  scopeViolation: (what: string, en: string) => e('GRANT_SCOPE_VIOLATION', HttpStatus.FORBIDDEN, `超出共享授权范围：${what}`, `Outside the grant’s scope: ${en}`),
  sensitiveBlocked: (cols: string[]) =>
    e('SENSITIVE_COLUMN_BLOCKED', HttpStatus.FORBIDDEN, `信息项 ${cols.join('、')} 经扫描含未标注的个人信息，无条件共享暂停提供，待提供部门标注或数据局确认`, `Items ${cols.join(', ')} hold unflagged personal data; withheld from unconditional sharing until cleared`),
  grantInactive: (status: string) => e('GRANT_INACTIVE', HttpStatus.FORBIDDEN, `共享授权不可用（${status}）`, `The grant is not usable (${status})`, { grantStatus: status }),
  quotaExceeded: () => e('GRANT_QUOTA_EXCEEDED', HttpStatus.FORBIDDEN, '已达到共享授权的数据量配额', 'The grant’s row quota is used up'),
  filterInvalid: (zh: string, en: string) => e('FILTER_INVALID', HttpStatus.BAD_REQUEST, `筛选条件不合法：${zh}`, `Invalid filter: ${en}`),
  noData: () => e('NO_CURRENT_VERSION', HttpStatus.NOT_FOUND, '数据集尚无可共享的版本', 'The dataset has no version to share yet'),
  versionChanged: () => e('VERSION_CHANGED', HttpStatus.SERVICE_UNAVAILABLE, '数据集正在切换到新版本，请稍后重试', 'The dataset is switching to a new version; retry', { retryAfterSeconds: 1 }),
  linkInvalid: () => e('DOWNLOAD_LINK_INVALID', HttpStatus.FORBIDDEN, '下载链接无效（签名不符）', 'Invalid download link (bad signature)'),
  linkExpired: () => e('DOWNLOAD_LINK_EXPIRED', HttpStatus.GONE, '下载链接已过期，请重新生成', 'The download link has expired; create a new one'),
  deliveryMethod: (method: string) => e('DELIVERY_METHOD_NOT_GRANTED', HttpStatus.FORBIDDEN, `该授权的交付方式不是"${method}"`, `The grant does not deliver by ${method}`),
  credentialsKeyMissing: () => e('CREDENTIALS_KEY_MISSING', HttpStatus.SERVICE_UNAVAILABLE, '未配置 CREDENTIALS_KEY，不能保存推送目标或 Webhook 密钥', 'CREDENTIALS_KEY is not configured'),
  pushTargetInvalid: (zh: string, en: string) => e('PUSH_TARGET_INVALID', HttpStatus.UNPROCESSABLE_ENTITY, `推送目标不合法：${zh}`, `Invalid push target: ${en}`),
  feedbackNotFound: (id: string) => e('FEEDBACK_NOT_FOUND', HttpStatus.NOT_FOUND, `纠错反馈不存在：${id}`, `Feedback not found: ${id}`),
  feedbackState: (from: string, to: string) => e('FEEDBACK_STATE_CONFLICT', HttpStatus.CONFLICT, `纠错任务当前为"${from}"，不能转为"${to}"`, `Feedback is ${from}; cannot move to ${to}`),
  feedbackVersion: (v: number) => e('FEEDBACK_VERSION_UNKNOWN', HttpStatus.UNPROCESSABLE_ENTITY, `数据集尚无第 ${v} 版：请先归集包含更正的新版本`, `Version ${v} is not published yet; load the corrected version first`),
  feedbackColumn: (name: string) => e('FEEDBACK_COLUMN_UNKNOWN', HttpStatus.UNPROCESSABLE_ENTITY, `反馈的信息项不在授权范围内：${name}`, `The reported column is not in the grant: ${name}`),
  needNotFound: (id: string) => e('NEED_NOT_FOUND', HttpStatus.NOT_FOUND, `数据需求不存在：${id}`, `Data need not found: ${id}`),
  needState: (status: string) => e('NEED_STATE_CONFLICT', HttpStatus.CONFLICT, `数据需求当前为"${status}"，不能执行此操作`, `The need is ${status}`),
  needAnswer: () => e('NEED_ANSWER_REQUIRED', HttpStatus.UNPROCESSABLE_ENTITY, '答复须给出编目的目录（entryId）或不能提供的理由（reason）', 'Answer with the cataloged entry (entryId) or a reason'),
  departmentUnknown: (id: string) => e('DEPARTMENT_UNKNOWN', HttpStatus.UNPROCESSABLE_ENTITY, `部门不存在：${id}`, `Unknown department: ${id}`),
  subscriptionNotLower: () =>
    e('RETURN_NOT_LOWER_LEVEL', HttpStatus.UNPROCESSABLE_ENTITY, '数据回流只面向下级（区县）部门订阅上级数据', 'Return flow is for a lower-level (district) department subscribing to higher-level data'),
  subscriptionColumn: (name: string) => e('RETURN_REGION_COLUMN_UNKNOWN', HttpStatus.UNPROCESSABLE_ENTITY, `区划信息项不在目录中：${name}`, `The region column is not an item of the entry: ${name}`),
  subscriptionNotShared: () => e('RETURN_NOT_SHARED', HttpStatus.UNPROCESSABLE_ENTITY, '不予共享的目录不能回流', 'A not-shared entry cannot flow back'),
  subscriptionNotFound: (id: string) => e('SUBSCRIPTION_NOT_FOUND', HttpStatus.NOT_FOUND, `回流订阅不存在：${id}`, `Subscription not found: ${id}`),
  webhookUrl: () => e('WEBHOOK_URL_INVALID', HttpStatus.UNPROCESSABLE_ENTITY, 'Webhook 地址须为 http(s) URL，且主机在允许清单内（SHARING_WEBHOOK_ALLOWED_HOSTS）', 'The webhook URL must be http(s) on an allowed host (SHARING_WEBHOOK_ALLOWED_HOSTS)'),
  notificationNotFound: (id: string) => e('NOTIFICATION_NOT_FOUND', HttpStatus.NOT_FOUND, `通知不存在：${id}`, `Notification not found: ${id}`),
};
