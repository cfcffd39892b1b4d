import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsUscc } from '@gov/shared';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';

export class RegisterDepartmentDto {
  @ApiProperty({ example: '示范市市场监督管理局' })
  @IsString() @Length(2, 100)
  name: string;

  @ApiProperty({ description: '统一社会信用代码 (GB 32100)', example: '11420700MB151234XG' })
  @IsUscc()
  creditCode: string;

  @ApiProperty({ description: 'Short code, lowercase letters and digits', example: 'scjg' })
  @Matches(/^[a-z][a-z0-9]{1,19}$/, { message: 'code must be 2–20 lowercase letters or digits, starting with a letter' })
  code: string;

  @ApiProperty({ description: '行政区划代码', example: '420700' })
  @Matches(/^\d{6}$/, { message: 'regionCode must be a 6-digit administrative division code' })
  regionCode: string;

  @ApiProperty({ enum: ['city', 'district'] })
  @IsIn(['city', 'district'])
  level: 'city' | 'district';

  @ApiPropertyOptional()
  @IsOptional() @IsUUID()
  parentId?: string;
}

export class DepartmentResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() creditCode: string;
  @ApiProperty() code: string;
  @ApiProperty() regionCode: string;
  @ApiProperty() level: 'city' | 'district';
  @ApiProperty({ nullable: true, type: String }) parentId: string | null;
}

export class ListDepartmentsQuery {
  @ApiPropertyOptional({ description: '名称关键字 / name keyword' })
  @IsOptional() @IsString() @MaxLength(50)
  q?: string;
}
