import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ListAuditRecordsQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) eventName?: string;
  @ApiPropertyOptional({ description: '对象 id / object id (e.g. a department id)' }) @IsOptional() @IsString() @MaxLength(200) objectId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) correlationId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) actorId?: string;
  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class AuditRecordView {
  @ApiProperty() seq: number;
  @ApiProperty() eventId: string;
  @ApiProperty() eventName: string;
  @ApiProperty() producer: string;
  @ApiProperty() occurredAt: string;
  @ApiProperty() recordedAt: string;
  @ApiProperty({ nullable: true, type: String }) correlationId: string | null;
  @ApiProperty({ nullable: true, type: Object }) actor: { type: string; id: string | null; name: string | null; deptId: string | null; ip: string | null } | null;
  @ApiProperty() object: { type: string; id: string };
  @ApiProperty({ type: Object }) payload: Record<string, unknown>;
}
