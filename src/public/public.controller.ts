import { Controller, Get, Header, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { PUBLIC_CACHE } from '../common/conditional.js';
import { ApiProblems } from '../common/openapi.js';
import { PublicThrottlerGuard } from '../common/throttling.js';
import { UuidPipe } from '../common/validation/validation.js';
import { ManufacturerDto, ManufacturerPageDto, ManufacturersQuery, RegisterCsvQuery, RegisterDto, VerificationDto, VerifyQuery } from './dto/public.dto.js';
import { PublicService } from './public.service.js';


@ApiTags('public register')
@Public()
@UseGuards(PublicThrottlerGuard)
@Controller('public/v1')
export class PublicController {
  constructor(private readonly register: PublicService) {}

  @Get('manufacturers')
  @Header('Cache-Control', PUBLIC_CACHE)
  @ApiOperation({ summary: 'Licensed manufacturers and their licenses (status today)' })
  @ApiOkResponse({ type: ManufacturerPageDto })
  @ApiProblems(400, 429)
  manufacturers(@Query() query: ManufacturersQuery): Promise<ManufacturerPageDto> {
    return this.register.manufacturers(query);
  }

  @Get('manufacturers/:id')
  @Header('Cache-Control', PUBLIC_CACHE)
  @ApiOperation({ summary: 'A manufacturer with every license and its public lifecycle history' })
  @ApiOkResponse({ type: ManufacturerDto })
  @ApiProblems(400, 404, 429)
  manufacturer(@Param('id', new UuidPipe()) id: string): Promise<ManufacturerDto> {
    return this.register.manufacturer(id);
  }

  @Get('licenses/:licenseNumber')
  @Header('Cache-Control', PUBLIC_CACHE)
  @ApiOperation({
    summary: 'Verify a license number on a day (default today)',
    description: 'Matching ignores case and surrounding spaces; a number containing / is sent URL-encoded (%2F). valid is true only when ACTIVE that day.',
  })
  @ApiOkResponse({ type: VerificationDto })
  @ApiProblems(400, 404, 429)
  verify(@Param('licenseNumber') licenseNumber: string, @Query() query: VerifyQuery): Promise<VerificationDto> {
    return this.register.verify(licenseNumber, query.on);
  }

  @Get('register.json')
  @Header('Cache-Control', PUBLIC_CACHE)
  @ApiOperation({ summary: 'Open data: the whole public register, one row per license' })
  @ApiOkResponse({ type: RegisterDto })
  @ApiProblems(429)
  registerJson(): Promise<RegisterDto> {
    return this.register.register();
  }

  @Get('register.csv')
  @Header('Cache-Control', PUBLIC_CACHE)
  @ApiOperation({ summary: 'Open data: the register as CSV (RFC 4180, UTF-8, the columns of register.json)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV with a header row', content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiProblems(429)
  async registerCsv(@Query() query: RegisterCsvQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { asOf, csv } = await this.register.registerCsv({ bom: query.bom });
    void reply
      .header('Content-Type', 'text/csv; charset=utf-8; header=present')
      .header('Content-Disposition', `attachment; filename="license-register-${asOf}.csv"`);
    return csv;
  }
}
