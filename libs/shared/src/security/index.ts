export * from './sensitive-content';
export * from './labelled-columns';
export * from './discovery-score';
export * from './k-anonymity';
export * from './sandbox/sandbox-sql';
export * from './sandbox/row-sets';
export * from './sandbox/release-check';
export * from './sandbox/sandbox-settings';
