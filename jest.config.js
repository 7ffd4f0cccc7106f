import { createDefaultEsmPreset } from 'ts-jest';

const preset = createDefaultEsmPreset({ tsconfig: 'tsconfig.json' });

const common = {
  ...preset,
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

/** @type {import('jest').Config} */
export default {
  // `make test` runs the unit project beside the e2e project's real scenario runs on a 2-core runner; under
  // that load a hook that only imports the command tree can pass jest's 5 s default. A hang still fails.
  testTimeout: 30_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/src/**/*.test.ts',
        '<rootDir>/apps/**/*.test.ts',
        '<rootDir>/agents/**/*.test.ts',
        '<rootDir>/tests/**/*.test.ts',
      ],
      testPathIgnorePatterns: ['/node_modules/', '\\.e2e\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/tests/**/*.e2e.test.ts', '<rootDir>/src/**/*.e2e.test.ts'],
    },
  ],
};
