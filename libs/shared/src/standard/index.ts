export * from './validation-result';
export * from './enums';
export * from './resource-code';
export * from './identifiers';
export * from './masking';
export * from './similarity';
export * from './one-source';
