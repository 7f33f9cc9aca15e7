import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { ApiProblems } from '../common/openapi.js';
import { UuidPipe } from '../common/validation/validation.js';
import { AmendLicenseDto, CreateLicenseEventDto, GrantLicenseDto } from '../licenses/dto/license.dto.js';
import { CreateDecisionDto } from '../obligations/dto/obligation.dto.js';
import { ApproveProposalDto, ListProposalsQuery, ProposalDto, ProposalPageDto, RejectProposalDto, WithdrawProposalDto } from './dto/proposal.dto.js';
import { ProposalsService } from './proposals.service.js';

const ENDED =
  'A proposal already approved, rejected or withdrawn is a 409 PROPOSAL_DECIDED; one not decided by its last day (expiresOn) a 409 PROPOSAL_EXPIRED, its lapse ' +
  'then recorded in the audit trail. Of two deciding at once with the same If-Match, exactly one wins.';

@ApiTags('proposals')
@ApiBearerAuth()
@ApiExtraModels(GrantLicenseDto, AmendLicenseDto, CreateLicenseEventDto, CreateDecisionDto) // a proposal's payload
@Controller('api/v1/proposals')
export class ProposalsController {
  constructor(private readonly proposals: ProposalsService) {}

  @Get()
  @ApiOperation({ summary: 'List proposals of license decisions and of decisions on conditions, newest first (`?status=PENDING`: what waits for a second person)' })
  @ApiOkResponse({ type: ProposalPageDto })
  @ApiProblems(400, 401)
  list(@Query() query: ListProposalsQuery): Promise<ProposalPageDto> {
    return this.proposals.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a proposal (its ETag is the If-Match of a decision on it)' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiProblems(400, 401, 404)
  get(@Param('id', new UuidPipe()) id: string): Promise<ProposalDto> {
    return this.proposals.get(id);
  }

  @Post(':id/approve')
  @Roles('ADMIN', 'OFFICER') // an ADMIN other than the proposer: checked by the service (403 OWN_PROPOSAL, ROLE_NOT_ALLOWED)
  @HttpCode(200)
  @ApiIfMatch()
  @ApiOperation({
    summary: 'Approve a proposal and apply it (ADMIN, not its proposer)',
    description:
      'Applies the decision as its own route would, every rule checked again, in one transaction with the approval: the license event and its audit record name ' +
      'the proposer and the approver. A refusal (a rule, a license changed since the proposal was made: 409 LICENSE_CHANGED) changes nothing; the proposal stays PENDING. ' +
      'The proposer is answered 403 OWN_PROPOSAL (an OFFICER too); any other role than ADMIN 403 ROLE_NOT_ALLOWED. ' +
      ENDED,
  })
  @ApiOkResponse({ type: ProposalDto, description: 'APPROVED, with the license (licenseId) and the event it recorded (licenseEventId)' })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  approve(@Param('id', new UuidPipe()) id: string, @Body() body: ApproveProposalDto, @IfMatch() version: number): Promise<ProposalDto> {
    return this.proposals.approve(id, version, body.note);
  }

  @Post(':id/reject')
  @Roles('ADMIN', 'OFFICER') // likewise
  @HttpCode(200)
  @ApiIfMatch()
  @ApiOperation({
    summary: 'Reject a proposal with a reason (ADMIN, not its proposer); nothing is applied',
    description: `The proposer is answered 403 OWN_PROPOSAL; any other role than ADMIN 403 ROLE_NOT_ALLOWED. ${ENDED}`,
  })
  @ApiOkResponse({ type: ProposalDto, description: 'REJECTED' })
  @ApiProblems(400, 401, 403, 404, 409)
  reject(@Param('id', new UuidPipe()) id: string, @Body() body: RejectProposalDto, @IfMatch() version: number): Promise<ProposalDto> {
    return this.proposals.reject(id, version, body.reason);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiIfMatch()
  @ApiOperation({ summary: 'Withdraw your own proposal; nothing is applied', description: `Only its proposer may (403 NOT_PROPOSER). ${ENDED}` })
  @ApiOkResponse({ type: ProposalDto, description: 'WITHDRAWN' })
  @ApiProblems(400, 401, 403, 404, 409)
  withdraw(@Param('id', new UuidPipe()) id: string, @Body() body: WithdrawProposalDto, @IfMatch() version: number): Promise<ProposalDto> {
    return this.proposals.withdraw(id, version, body.reason);
  }
}
