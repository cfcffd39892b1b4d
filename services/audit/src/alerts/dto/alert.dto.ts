import { PageQuery } from '@gov/shared';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { RULE_NAMES } from '../alert-rules';

export class AlertListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['open', 'acknowledged', 'closed'] }) @IsOptional() @IsIn(['open', 'acknowledged', 'closed']) status?: 'open' | 'acknowledged' | 'closed';
  @ApiPropertyOptional({ enum: RULE_NAMES }) @IsOptional() @IsIn(RULE_NAMES as unknown as string[]) rule?: string;
}

export class CloseAlertDto {
  @ApiProperty({ description: '处理说明 / what was found and done' }) @IsString() @MinLength(2) @MaxLength(4000) note: string;
}

export class RuleChangeDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ type: Object, description: 'parameters to override, e.g. {"threshold": 3}' }) @IsOptional() @IsObject() params?: Record<string, unknown>;
}
