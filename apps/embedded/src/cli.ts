import { ConfigValidationError, loadConfig } from '@gov/shared';
import { EmbeddedEnv } from './embedded-env';
import { EmbeddedInfrastructure, startEmbeddedInfrastructure } from './embedded-runtime';

/** Runs a one-shot command against the embedded (or DATABASE_URL) database, then stops it. */
export async function runEmbeddedCommand(name: string, command: (infra: EmbeddedInfrastructure) => Promise<string>): Promise<void> {
  let infra: EmbeddedInfrastructure | undefined;
  try {
    const env = loadConfig(EmbeddedEnv);
    env.SEED_DEMO = 'false'; // commands decide themselves what to seed
    infra = await startEmbeddedInfrastructure(env);
    process.stdout.write(`${await command(infra)}\n`);
    await infra.dispose();
    process.exit(0);
  } catch (err) {
    process.stderr.write(`${name} failed: ${err instanceof ConfigValidationError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
    await infra?.dispose().catch(() => undefined);
    process.exit(1);
  }
}
