export * from './sensitive-content';
export * from './labelled-columns';
export * from './discovery-score';
export * from './k-anonymity';
