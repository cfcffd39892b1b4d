import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { RULE_NAMES } from '../alert-rules';

export class AlertListQuery {
  @ApiPropertyOptional({ enum: ['open', 'acknowledged', 'closed'] }) @IsOptional() @IsIn(['open', 'acknowledged', 'closed']) status?: 'open' | 'acknowledged' | 'closed';
  @ApiPropertyOptional({ enum: RULE_NAMES }) @IsOptional() @IsIn(RULE_NAMES as unknown as string[]) rule?: string;
  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class CloseAlertDto {
  @ApiProperty({ description: '处理说明 / what was found and done' }) @IsString() @MinLength(2) @MaxLength(4000) note: string;
}

export class RuleChangeDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ type: Object, description: 'parameters to override, e.g. {"threshold": 3}' }) @IsOptional() @IsObject() params?: Record<string, unknown>;
}
