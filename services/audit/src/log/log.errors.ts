import { DomainException } from '@gov/shared';
import { HttpStatus } from '@nestjs/common';

export const LogErrors = {
  noTreeHead: () => new DomainException('AUDIT_NO_TREE_HEAD', HttpStatus.CONFLICT, { zh: '尚无签名树头', en: 'No signed tree head yet' }),
  unknownTreeSize: (size: number) =>
    new DomainException('AUDIT_TREE_SIZE_UNKNOWN', HttpStatus.NOT_FOUND, { zh: `没有规模为 ${size} 的签名树头`, en: `No signed tree head of size ${size}` }),
  recordNotInTree: (seq: number, size: number) =>
    new DomainException('AUDIT_RECORD_NOT_IN_TREE', HttpStatus.UNPROCESSABLE_ENTITY, { zh: `记录 #${seq} 不在规模为 ${size} 的树中`, en: `Record #${seq} is not in the tree of size ${size}` }),
  recordNotFound: (seq: number | string) => new DomainException('NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `审计记录 ${seq} 不存在`, en: `Audit record ${seq} not found` }),
  badRange: (from: number, to: number) =>
    new DomainException('AUDIT_BAD_RANGE', HttpStatus.UNPROCESSABLE_ENTITY, { zh: `无法证明规模 ${from} 到 ${to} 的一致性（需 from ≤ to）`, en: `No consistency proof from ${from} to ${to} (needs from ≤ to)` }),
  archivedMismatch: (seq: number) =>
    new DomainException('AUDIT_ARCHIVE_MISMATCH', HttpStatus.CONFLICT, {
      zh: `归档段中的记录 #${seq} 与其叶哈希不符：归档文件被改动，请完整核验日志`,
      en: `Archived record #${seq} does not match its leaf hash: the segment file was changed; verify the log`,
    }),
};
