// Tamper-evident audit log (审计日志): RFC 6962 Merkle tree, Ed25519 tree heads, proofs, archived
// segments and a verifier that needs nothing but the public key. Pure code, no database.
export * from './canonical-json';
export * from './merkle';
export * from './record';
export * from './tree-head';
export * from './verifier';
export * from './segment';
