import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsNotEmpty, IsString, Length, MaxLength } from 'class-validator';
import { PageDto, PageQuery } from '../../common/pagination.js';
import { IsNameText, IsOmittable, IsReason } from '../../common/validation/decorators.js';
import { STAFF_ROLES, type StaffRole } from '../../common/roles.js';

/** Passphrases: at least 12 characters; no cap below 1024 (argon2id has no 72-byte limit). */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;

export class LoginDto {
  @ApiProperty({ example: 'officer@pta.example' })
  @IsString()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MaxLength(PASSWORD_MAX)
  password: string;
}

export class TokenDto {
  @ApiProperty({ description: 'Bearer token for the Authorization header' }) accessToken: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: string;
  @ApiProperty({ example: 900, description: 'Seconds until it expires; then log in again' }) expiresIn: number;
}

export class CreateStaffDto {
  @ApiProperty({ example: 'officer@pta.example' })
  @IsNameText()
  @IsEmail({}, { message: 'must be an e-mail address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Ayesha Khan', maxLength: 200 })
  @IsNameText()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  displayName: string;

  @ApiProperty({ enum: STAFF_ROLES })
  @IsIn(STAFF_ROLES, { message: `must be one of ${STAFF_ROLES.join(', ')}` })
  role: StaffRole;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, description: 'Stored only as an argon2id hash' })
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  password: string;
}

export class UpdateStaffDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOmittable()
  @IsNameText()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  displayName?: string;

  @ApiPropertyOptional({ enum: STAFF_ROLES })
  @IsOmittable()
  @IsIn(STAFF_ROLES, { message: `must be one of ${STAFF_ROLES.join(', ')}` })
  role?: StaffRole;

  @ApiPropertyOptional({ description: 'false deactivates the account: its tokens stop working at once' })
  @IsOmittable()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, description: "Sets a new password and revokes the account's tokens" })
  @IsOmittable()
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  password?: string;

  @IsReason({ required: false, description: 'Why (recorded in the audit trail)' })
  reason?: string;
}

export class StaffDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: STAFF_ROLES }) role: StaffRole;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastLoginAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty() version: number;
}

export class StaffPageDto extends PageDto {
  @ApiProperty({ type: [StaffDto] }) items: StaffDto[];
}

export class ListStaffQuery extends PageQuery {}
