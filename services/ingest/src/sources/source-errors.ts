import { HttpStatus } from '@nestjs/common';
import { DomainException } from '@gov/shared';
import { SourceError } from '../pipeline/contracts';

/**
 * The job errors of interface pull, logical access and database pull. Each is a SourceError (a
 * clear job error with a stable code and both languages). No message ever carries a credential,
 * an auth header, a password or a URL's query string: only the redacted location (see redact.ts).
 */
export const SourceErrors = {
  hostNotAllowed: (where: string, why: { zh: string; en: string }) =>
    new SourceError('PULL_HOST_NOT_ALLOWED', `不允许访问该地址（${where}）：${why.zh}`, `Host not allowed (${where}): ${why.en}`),
  badUrl: (why: string) => new SourceError('PULL_BAD_URL', `接口地址无效：${why}`, `Invalid endpoint URL: ${why}`),
  timeout: (where: string, ms: number) =>
    new SourceError('PULL_TIMEOUT', `接口 ${where} 在 ${ms / 1000} 秒内未响应`, `The endpoint ${where} did not answer within ${ms / 1000} s`),
  connectFailed: (where: string, why: string) =>
    new SourceError('PULL_CONNECT_FAILED', `无法连接接口 ${where}：${why}`, `Cannot connect to the endpoint ${where}: ${why}`),
  httpError: (where: string, status: number) => {
    const err = new SourceError('PULL_HTTP_ERROR', `接口 ${where} 返回 HTTP ${status}`, `The endpoint ${where} answered HTTP ${status}`);
    return Object.assign(err, { status });
  },
  tooManyRedirects: (where: string) =>
    new SourceError('PULL_HTTP_ERROR', `接口 ${where} 重定向次数过多`, `The endpoint ${where} redirected too many times`),
  notData: (where: string, what: string) =>
    new SourceError(
      'PULL_NOT_DATA',
      `接口 ${where} 返回的不是数据（${what}），可能是错误页或登录页`,
      `The endpoint ${where} did not return data (${what}); probably an error or login page`,
    ),
  tooLarge: (where: string, limit: number) =>
    new SourceError('PULL_TOO_LARGE', `接口 ${where} 的响应超过上限 ${formatBytes(limit)}`, `The response of ${where} exceeds the limit of ${formatBytes(limit)}`),
  badJson: (where: string, detail: string) =>
    new SourceError('PULL_BAD_JSON', `接口 ${where} 返回的 JSON 无法解析：${detail}`, `The endpoint ${where} returned unusable JSON: ${detail}`),
  badEncoding: (where: string) =>
    new SourceError(
      'PULL_BAD_ENCODING',
      `接口 ${where} 返回的文本不是 UTF-8，请在接入配置中指定编码（如 gb18030）`,
      `The text returned by ${where} is not UTF-8; set the encoding (e.g. gb18030) in the source configuration`,
    ),
  apiError: (where: string, message: string) =>
    new SourceError('PULL_API_ERROR', `接口 ${where} 返回业务错误：${message}`, `The endpoint ${where} reported an error: ${message}`),
  tooManyPages: (where: string, maxPages: number) =>
    new SourceError(
      'PULL_TOO_MANY_PAGES',
      `接口 ${where} 超过 ${maxPages} 页仍有数据，已停止以免数据不完整`,
      `The endpoint ${where} still had data after ${maxPages} pages; stopped rather than load an incomplete set`,
    ),
  pagingIgnored: (where: string) =>
    new SourceError(
      'PULL_PAGING_IGNORED',
      `接口 ${where} 连续两页内容相同，请检查分页参数配置`,
      `The endpoint ${where} returned the same page twice; check the paging parameters`,
    ),
  headerChanged: (where: string, page: number) =>
    new SourceError('PULL_HEADER_CHANGED', `接口 ${where} 第 ${page} 页的表头与第 1 页不同`, `Page ${page} of ${where} has a different header than page 1`),
  badConfig: (field: string, why: string) =>
    new SourceError('SOURCE_CONFIG_INVALID', `接入配置 ${field} 无效：${why}`, `Source configuration ${field} is invalid: ${why}`),

  dbQueryNotAllowed: (why: string) =>
    new SourceError('DB_QUERY_NOT_ALLOWED', `只允许单条 SELECT 查询：${why}`, `Only a single SELECT query is allowed: ${why}`),
  dbConnectFailed: (where: string, why: string) =>
    new SourceError('DB_CONNECT_FAILED', `无法连接数据库 ${where}：${why}`, `Cannot connect to the database ${where}: ${why}`),
  dbAuthFailed: (where: string) =>
    new SourceError('DB_AUTH_FAILED', `数据库 ${where} 拒绝了用户名或密码`, `The database ${where} refused the user name or password`),
  dbTimeout: (where: string, ms: number) =>
    new SourceError('DB_TIMEOUT', `数据库 ${where} 在 ${ms / 1000} 秒内未响应`, `The database ${where} did not answer within ${ms / 1000} s`),
  dbQueryFailed: (where: string, why: string) =>
    new SourceError('DB_QUERY_FAILED', `数据库 ${where} 查询失败：${why}`, `The query on ${where} failed: ${why}`),
  dbIncrementalColumnMissing: (column: string) =>
    new SourceError(
      'DB_INCREMENTAL_COLUMN_MISSING',
      `增量字段 ${column} 不在查询结果中`,
      `The incremental column ${column} is not in the result`,
    ),

  credentialsMalformed: () =>
    new SourceError('CREDENTIALS_MALFORMED', '接入凭据的密文格式无效', 'The stored credentials are not a valid sealed value'),
  credentialsWrongKey: (keyId: string) =>
    new SourceError(
      'CREDENTIALS_WRONG_KEY',
      `接入凭据由另一个密钥（${keyId}）加密，请检查 CREDENTIALS_KEY`,
      `The stored credentials were sealed with another key (${keyId}); check CREDENTIALS_KEY`,
    ),
  credentialsTampered: () =>
    new SourceError('CREDENTIALS_TAMPERED', '接入凭据校验失败（被篡改或已损坏）', 'The stored credentials failed authentication (tampered with or corrupt)'),
};

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${+(n / 1024 / 1024 / 1024).toFixed(1)} GiB`;
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

const STATUS_OF: Record<string, HttpStatus> = {
  PULL_HOST_NOT_ALLOWED: HttpStatus.BAD_REQUEST,
  PULL_BAD_URL: HttpStatus.BAD_REQUEST,
  SOURCE_CONFIG_INVALID: HttpStatus.BAD_REQUEST,
  DB_QUERY_NOT_ALLOWED: HttpStatus.BAD_REQUEST,
  PROXY_BAD_QUERY: HttpStatus.BAD_REQUEST,
  PULL_TIMEOUT: HttpStatus.GATEWAY_TIMEOUT,
  DB_TIMEOUT: HttpStatus.GATEWAY_TIMEOUT,
};

/**
 * For an API that answers with a source's outcome directly (registration checks, the logical
 * access proxy): configuration problems are the caller's (400), a slow upstream is 504, every
 * other upstream problem is 502. Credential problems are the platform's own (500).
 */
export function sourceErrorToDomainException(err: SourceError): DomainException {
  const status =
    STATUS_OF[err.code] ??
    (err.code.startsWith('CREDENTIALS_') ? HttpStatus.INTERNAL_SERVER_ERROR : HttpStatus.BAD_GATEWAY);
  return new DomainException(err.code, status, { zh: err.zh, en: err.en });
}
