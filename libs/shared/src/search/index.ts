export * from './cjk-grams';
