// Jest runs the TypeScript sources as native ESM through ts-jest (type checking is `npm run typecheck`).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testTimeout: 30000,
  // Two workers keep both cores of the CI machine busy (Jest's default is cores − 1, one here); a
  // worker that grew past the limit is replaced between test files instead of slowing the rest.
  maxWorkers: 2,
  workerIdleMemoryLimit: '1GB',
};
