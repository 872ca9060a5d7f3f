/**
 * @packageDocumentation
 * Test suites shared by every implementation of an interface, run with
 * Vitest in Node and in a real browser alike. Private to this repository.
 */
export { runStoreAdapterTests } from './store-adapter-suite.ts'
export type { StoreSetup } from './store-adapter-suite.ts'
