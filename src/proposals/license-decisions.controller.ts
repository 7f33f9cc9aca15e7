import { Body, Controller, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { ApiProblems } from '../common/openapi.js';
import { UuidPipe } from '../common/validation/validation.js';
import { Idempotent } from '../idempotency/idempotency.js';
import { AmendLicenseDto, CreateLicenseEventDto, GrantLicenseDto, LicenseDto } from '../licenses/dto/license.dto.js';
import { ProposalDto } from './dto/proposal.dto.js';
import { ProposalsService } from './proposals.service.js';

const FOUR_EYES =
  'Four eyes (FOUR_EYES, on by default): the decision is checked now against every rule of the direct write and kept as a PENDING proposal, ' +
  'answered **202 Accepted** with the proposal (`Location: /api/v1/proposals/{id}`, `ETag` its version); the license does not change until an ADMIN other than ' +
  'the proposer approves it (`POST /api/v1/proposals/{id}/approve` with `If-Match`), which applies it then, every rule checked again. ' +
  'With FOUR_EYES=false it is applied at once and answered with the license (unreviewed in the audit trail).';

/** How a proposed decision is answered: 202 Accepted, the proposal, and where to find it. */
const Proposed = () =>
  ApiAcceptedResponse({
    type: ProposalDto,
    description: 'Four eyes: proposed, not applied yet',
    headers: {
      Location: { description: 'The proposal: /api/v1/proposals/{id}', schema: { type: 'string' } },
      ETag: { description: "The proposal's version, for If-Match when it is approved, rejected or withdrawn", schema: { type: 'string', example: '"1"' } },
    },
  });

/**
 * The license decisions, one route each (grant, amendment, lifecycle action): proposed under four eyes, applied at
 * once without (ProposalsService.submit). The license reads are in licenses/licenses.controller.ts.
 */
@ApiTags('licenses')
@ApiBearerAuth()
@Controller('api/v1/licenses')
export class LicenseDecisionsController {
  constructor(private readonly proposals: ProposalsService) {}

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Grant a license (creates it with its GRANTED event); under four eyes, propose it', description: FOUR_EYES })
  @Proposed()
  @ApiCreatedResponse({ type: LicenseDto, description: 'FOUR_EYES=false: granted' })
  @ApiProblems(400, 401, 403, 409, 422)
  async grant(@Body() body: GrantLicenseDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<LicenseDto | ProposalDto> {
    return answer(reply, await this.proposals.submit({ kind: 'GRANT', input: body }));
  }

  @Patch(':id')
  @ApiIfMatch()
  @ApiOperation({ summary: 'Amend a license (number, brands, plant, conditions), recorded as an AMENDED event; under four eyes, propose it', description: FOUR_EYES })
  @Proposed()
  @ApiOkResponse({ type: LicenseDto, description: 'FOUR_EYES=false: amended' })
  @ApiProblems(400, 401, 403, 404, 409)
  async amend(@Param('id', new UuidPipe()) id: string, @Body() body: AmendLicenseDto, @IfMatch() version: number, @Res({ passthrough: true }) reply: FastifyReply): Promise<LicenseDto | ProposalDto> {
    return answer(reply, await this.proposals.submit({ kind: 'AMEND', licenseId: id, expectedVersion: version, input: body }));
  }

  @Post(':id/events')
  @ApiIfMatch()
  @ApiOperation({
    summary: 'Record a lifecycle action: SUSPENDED, REINSTATED, RENEWED, REVOKED or SURRENDERED; under four eyes, propose it',
    description:
      'Allowed from (status on effectiveOn): SUSPENDED from ACTIVE; REINSTATED from SUSPENDED; RENEWED from ACTIVE, SUSPENDED or EXPIRED; ' +
      'REVOKED and SURRENDERED from ACTIVE or SUSPENDED (terminal). Anything else is a 422 naming the status.\n\n' +
      FOUR_EYES,
  })
  @Proposed()
  @ApiCreatedResponse({ type: LicenseDto, description: 'FOUR_EYES=false: recorded; the license' })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  async addEvent(@Param('id', new UuidPipe()) id: string, @Body() body: CreateLicenseEventDto, @IfMatch() version: number, @Res({ passthrough: true }) reply: FastifyReply): Promise<LicenseDto | ProposalDto> {
    return answer(reply, await this.proposals.submit({ kind: 'LIFECYCLE', licenseId: id, expectedVersion: version, input: body }));
  }
}

/** The license as applied (the route's own status), or 202 with the proposal and its Location. */
function answer(reply: FastifyReply, outcome: { proposal: ProposalDto } | { license: LicenseDto }): LicenseDto | ProposalDto {
  if ('license' in outcome) return outcome.license;
  void reply.status(202).header('Location', outcome.proposal.links.self);
  return outcome.proposal;
}
