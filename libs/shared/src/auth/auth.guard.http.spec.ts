import 'reflect-metadata';
import { Controller, Get, INestApplication, Module, Req } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, NestFactory } from '@nestjs/core';
import request from 'supertest';
import { ProblemDetailsFilter } from '../errors/problem-details.filter';
import { AuthGuard } from './auth.guard';
import { AuthedRequest, Public } from './decorators';
import type { StaffPrincipal } from './principal';
import { TokenService } from './token.service';

/** The guard as services mount it (global, with the problem+json filter), over real HTTP. */
const SECRET = 's'.repeat(32);
const operator: StaffPrincipal = {
  kind: 'staff',
  userId: 'user-1',
  username: 'op',
  displayName: '经办人',
  deptId: 'dept-1',
  deptName: '市民政局',
  roles: ['dept_operator'],
};

@Controller()
class ProbeController {
  @Public()
  @Get('public')
  open(@Req() req: AuthedRequest) {
    return { caller: req.principal?.kind === 'staff' ? req.principal.userId : 'anonymous' };
  }

  @Get('staff')
  staff(@Req() req: AuthedRequest) {
    return { caller: req.principal?.kind === 'staff' ? req.principal.userId : 'anonymous' };
  }
}

@Module({
  controllers: [ProbeController],
  providers: [
    { provide: TokenService, useValue: new TokenService(SECRET) },
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useFactory: () => new ProblemDetailsFilter() },
  ],
})
class ProbeModule {}

let app: INestApplication;
beforeAll(async () => {
  app = await NestFactory.create(ProbeModule, { logger: false });
  await app.init();
});
afterAll(async () => {
  await app?.close();
});

const expired = `Bearer ${new TokenService(SECRET, -60).sign(operator).accessToken}`;
const invalid = `Bearer ${new TokenService('z'.repeat(32)).sign(operator).accessToken}`;
const valid = `Bearer ${new TokenService(SECRET).sign(operator).accessToken}`;

describe('AuthGuard over HTTP', () => {
  it.each([
    ['an expired', expired],
    ['an invalid', invalid],
  ])('serves a @Public endpoint to a caller with %s token, as anonymous', async (_label, authorization) => {
    const res = await request(app.getHttpServer()).get('/public').set('Authorization', authorization);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ caller: 'anonymous' });
  });

  it('serves a @Public endpoint to a caller with a valid token, as that caller', async () => {
    const res = await request(app.getHttpServer()).get('/public').set('Authorization', valid);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ caller: 'user-1' });
  });

  it.each([
    ['an expired', expired, 'TOKEN_EXPIRED'],
    ['an invalid', invalid, 'UNAUTHENTICATED'],
  ])('answers a staff endpoint called with %s token with 401 problem+json', async (_label, authorization, code) => {
    const res = await request(app.getHttpServer()).get('/staff').set('Authorization', authorization);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, code });
  });

  it('serves a staff endpoint to a valid token', async () => {
    const res = await request(app.getHttpServer()).get('/staff').set('Authorization', valid);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ caller: 'user-1' });
  });
});
