import { ApiProperty } from '@nestjs/swagger';
import { STAFF_ROLES, StaffRole } from '@gov/shared';
import { ArrayMinSize, ArrayUnique, IsIn, IsString, IsUUID, Length, Matches } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'admin' }) @IsString() @Length(1, 64) username: string;
  @ApiProperty({ example: 'Demo@2026' }) @IsString() @Length(1, 128) password: string;
}

export class StaffProfileDto {
  @ApiProperty() userId: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty() deptId: string;
  @ApiProperty() deptName: string;
  @ApiProperty({ enum: STAFF_ROLES, isArray: true }) roles: StaffRole[];
}

export class TokenResponseDto {
  @ApiProperty() accessToken: string;
  @ApiProperty() tokenType: 'Bearer';
  @ApiProperty() expiresIn: number;
  @ApiProperty({ type: () => StaffProfileDto }) user: StaffProfileDto;
}

export class CreateStaffUserDto {
  @ApiProperty() @Matches(/^[a-z][a-z0-9_.-]{2,31}$/, { message: 'username must be 3–32 lowercase letters, digits, _ . -' }) username: string;
  @ApiProperty() @IsString() @Length(1, 50) displayName: string;
  @ApiProperty({ description: 'at least 10 characters with letters and digits' })
  @Matches(/^(?=.*[A-Za-z])(?=.*\d).{10,128}$/, { message: 'password must be 10–128 characters with letters and digits' })
  password: string;
  @ApiProperty() @IsUUID() deptId: string;
  @ApiProperty({ enum: STAFF_ROLES, isArray: true }) @ArrayMinSize(1) @ArrayUnique() @IsIn(STAFF_ROLES as unknown as string[], { each: true }) roles: StaffRole[];
}
