import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class InclusionQuery {
  @ApiPropertyOptional({ description: '树规模：默认最新签名树头 / tree size (default: latest signed head)' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) treeSize?: number;
}

export class ConsistencyQuery {
  @ApiProperty() @Type(() => Number) @IsInt() @Min(1) from: number;
  @ApiProperty() @Type(() => Number) @IsInt() @Min(1) to: number;
}

export class HeadsQuery {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) fromSize?: number;
  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}
