import { HttpStatus } from '@nestjs/common';
import { DomainException } from '@gov/shared';
import { formatBytes, SourceErrors, sourceErrorToDomainException } from './source-errors';

describe('source errors', () => {
  it('map to HTTP answers for the APIs that answer with them directly', () => {
    const cases: [DomainException, HttpStatus][] = [
      [sourceErrorToDomainException(SourceErrors.hostNotAllowed('x', { zh: 'z', en: 'e' })), HttpStatus.BAD_REQUEST],
      [sourceErrorToDomainException(SourceErrors.dbQueryNotAllowed('why')), HttpStatus.BAD_REQUEST],
      [sourceErrorToDomainException(SourceErrors.timeout('x', 1000)), HttpStatus.GATEWAY_TIMEOUT],
      [sourceErrorToDomainException(SourceErrors.httpError('x', 500)), HttpStatus.BAD_GATEWAY],
      [sourceErrorToDomainException(SourceErrors.notData('x', 'HTML')), HttpStatus.BAD_GATEWAY],
      [sourceErrorToDomainException(SourceErrors.credentialsTampered()), HttpStatus.INTERNAL_SERVER_ERROR],
    ];
    for (const [err, status] of cases) {
      expect(err).toBeInstanceOf(DomainException);
      expect(err.status).toBe(status);
    }
    const e = sourceErrorToDomainException(SourceErrors.timeout('https://h/p', 30_000));
    expect(e.code).toBe('PULL_TIMEOUT');
    expect(e.messages).toEqual({ zh: '接口 https://h/p 在 30 秒内未响应', en: 'The endpoint https://h/p did not answer within 30 s' });
  });

  it('formats limits for people', () => {
    expect([formatBytes(512), formatBytes(50_000), formatBytes(64 * 1024 * 1024), formatBytes(2 * 1024 ** 3)]).toEqual(['512 B', '48.8 KiB', '64 MiB', '2 GiB']);
  });
});
