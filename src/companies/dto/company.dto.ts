import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUrl, Length, Matches, MaxLength } from 'class-validator';
import { LinksDto, PageDto, PageQuery } from '../../common/pagination.js';
import { IsReason } from '../../common/validation/decorators.js';
import { Trim } from '../../common/validation/transforms.js';
import { IsNameText } from '../../common/validation/decorators.js';

export class CreateCompanyDto {
  @ApiProperty({ description: 'Registered legal name; unique, ignoring case', example: 'Inovi Telecom (Private) Limited', maxLength: 300 })
  @IsNameText()
  @IsString()
  @Length(2, 300)
  legalName: string;

  @ApiPropertyOptional({ example: 'Inovi', maxLength: 200, nullable: true, type: String })
  @IsOptional()
  @IsNameText()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  tradeName?: string | null;

  @ApiPropertyOptional({ description: 'SECP corporate registration number; unique when present', example: '0123456', maxLength: 50, nullable: true, type: String })
  @IsOptional()
  @IsNameText()
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  registrationNumber?: string | null;

  @ApiPropertyOptional({ description: 'National Tax Number; unique when present', example: '1234567-8', maxLength: 20, nullable: true, type: String })
  @IsOptional()
  @Trim()
  @IsString()
  @Matches(/^[0-9A-Z-]{1,20}$/, { message: 'must be digits, capital letters and hyphens (at most 20)' })
  ntn?: string | null;

  @ApiPropertyOptional({ example: 'Lahore', maxLength: 100, nullable: true, type: String })
  @IsOptional()
  @IsNameText()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  city?: string | null;

  @ApiPropertyOptional({ example: 'Punjab', maxLength: 100, nullable: true, type: String })
  @IsOptional()
  @IsNameText()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  province?: string | null;

  @ApiPropertyOptional({ maxLength: 500, nullable: true, type: String })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  address?: string | null;

  @ApiPropertyOptional({ example: 'https://www.example.pk', maxLength: 300, nullable: true, type: String })
  @IsOptional()
  @Trim()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { message: 'must be an http(s) URL' })
  @MaxLength(300)
  website?: string | null;

  @ApiPropertyOptional({ description: 'Staff-only contact address; never public', example: 'compliance@example.pk', maxLength: 254, nullable: true, type: String })
  @IsOptional()
  @IsNameText()
  @IsEmail({}, { message: 'must be an e-mail address' })
  @MaxLength(254)
  contactEmail?: string | null;
}

/** Every field optional; `null` clears an optional field. legalName cannot be cleared. */
export class UpdateCompanyDto extends PartialType(CreateCompanyDto) {
  @IsReason({ required: false, description: 'Why (recorded in the audit trail)' })
  reason?: string;
}

export class DeleteCompanyQuery {
  @IsReason({ required: true, description: 'Why the company is deleted (required; recorded in the audit trail)', example: 'Registered twice by mistake' })
  reason: string;
}

export class ListCompaniesQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Part of the legal or trade name, case-insensitive; % and _ are matched literally' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: ['legalName', '-legalName', 'createdAt', '-createdAt'], default: 'legalName' })
  @IsOptional()
  @IsIn(['legalName', '-legalName', 'createdAt', '-createdAt'])
  sort?: string;
}

export class CompanyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Inovi Telecom (Private) Limited' }) legalName: string;
  @ApiProperty({ nullable: true, type: String, example: 'Inovi' }) tradeName: string | null;
  @ApiProperty({ nullable: true, type: String }) registrationNumber: string | null;
  @ApiProperty({ nullable: true, type: String }) ntn: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Lahore' }) city: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Punjab' }) province: string | null;
  @ApiProperty({ nullable: true, type: String }) address: string | null;
  @ApiProperty({ nullable: true, type: String }) website: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'staff-only' }) contactEmail: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ example: 1, description: 'Incremented on every change; the ETag' }) version: number;
  @ApiProperty({ type: LinksDto }) links: LinksDto;
}

export class CompanyPageDto extends PageDto {
  @ApiProperty({ type: [CompanyDto] }) items: CompanyDto[];
}

export class LookAlikeCompanyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Café Mobile (Private) Limited' }) legalName: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class LookAlikeGroupDto {
  @ApiProperty({ type: [LookAlikeCompanyDto], description: 'Companies whose legal names share one identity key, oldest first' })
  companies: LookAlikeCompanyDto[];
}

export class LookAlikesDto {
  @ApiProperty({ type: [LookAlikeGroupDto] })
  groups: LookAlikeGroupDto[];
}
