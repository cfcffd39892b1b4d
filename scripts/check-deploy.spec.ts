import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * docker-compose.yml must validate with `docker-compose config` and every kustomize overlay must
 * render with `kubectl kustomize`; scripts/check-deploy.sh does both when the tools exist.
 */
const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

it('docker-compose files validate and every kustomize overlay renders', () => {
  const r = spawnSync('bash', [join(__dirname, 'check-deploy.sh')], { encoding: 'utf8', cwd: join(__dirname, '..') });
  process.stdout.write(`[check-deploy]\n${r.stdout}${r.stderr}`);
  expect(r.status).toBe(0);
  if (have('docker-compose')) expect(r.stdout).toContain('ok: docker-compose -f docker-compose.yml config -q');
  else expect(r.stdout).toContain('skipped: docker-compose');
  if (have('kubectl')) {
    expect(r.stdout).toMatch(/ok: kubectl kustomize deploy\/overlays\/dev/);
    expect(r.stdout).toMatch(/ok: kubectl kustomize deploy\/overlays\/prod/);
  }
}, 120000);
