// Record queries and record files: shared by open-api (records API, downloads) and sharing.
export * from './column-types';
export * from './record-query.errors';
export * from './record-cursor';
export * from './record-query';
export * from './record-writers';
