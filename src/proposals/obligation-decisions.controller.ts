import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth.decorators.js';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { ApiProblems } from '../common/openapi.js';
import { UuidPipe } from '../common/validation/validation.js';
import { CreateDecisionDto, ObligationDto } from '../obligations/dto/obligation.dto.js';
import { ProposalDto } from './dto/proposal.dto.js';
import { ProposalsService } from './proposals.service.js';

const DECISION_RULES =
  'ACCEPT or REJECT names a submission of the condition (`submissionId`; 422 SUBMISSION_NOT_FOUND, 409 SUBMISSION_DECIDED); EXTEND gives `newDueOn`, after the due date ' +
  'in force (422 EXTENSION_NOT_LATER) and at most 2 years after the original one (422 EXTENSION_BEYOND_LIMIT, with `limit`); WAIVE ends it. A condition MET or WAIVED ' +
  'takes no more (409 OBLIGATION_CLOSED). If-Match is the condition\'s `version` (428, 412). The decision is dated the day it is made (under four eyes: approved).';

const FOUR_EYES =
  'Four eyes (FOUR_EYES, on by default): an ADMIN or an OFFICER proposes it; every rule is checked now and it is kept as a PENDING proposal of the kind ' +
  'OBLIGATION_DECISION, answered **202 Accepted** (`Location: /api/v1/proposals/{id}`, `ETag` its version). An ADMIN other than the proposer approves it ' +
  '(`POST /api/v1/proposals/{id}/approve`), which makes the decision then, every rule checked again in the same transaction (409 PROPOSAL_CONFLICT naming the rule ' +
  'that no longer holds), or rejects it; the proposer may withdraw it. With FOUR_EYES=false an ADMIN alone decides at once (201 with the condition; another role 403 ' +
  'ROLE_NOT_ALLOWED), audited as not reviewed.';

/** The decision route on license conditions: proposed under four eyes, made at once without (ProposalsService.submitObligationDecision). */
@ApiTags('obligations')
@ApiBearerAuth()
@Controller('api/v1/licenses')
export class ObligationDecisionsController {
  constructor(private readonly proposals: ProposalsService) {}

  @Post(':id/obligations/:obligationId/decisions')
  @Roles('ADMIN', 'OFFICER') // with four eyes off, ADMIN only: checked by the service (403 ROLE_NOT_ALLOWED)
  @ApiIfMatch()
  @ApiOperation({ summary: 'Decide on a condition: ACCEPT or REJECT a submission, EXTEND the due date (at most 2 years past the original), or WAIVE it; under four eyes, propose it', description: `${DECISION_RULES}\n\n${FOUR_EYES}` })
  @ApiAcceptedResponse({
    type: ProposalDto,
    description: 'Four eyes: proposed, not decided yet',
    headers: {
      Location: { description: 'The proposal: /api/v1/proposals/{id}', schema: { type: 'string' } },
      ETag: { description: "The proposal's version, for If-Match when it is approved, rejected or withdrawn", schema: { type: 'string', example: '"1"' } },
    },
  })
  @ApiCreatedResponse({ type: ObligationDto, description: 'FOUR_EYES=false: decided; the condition with its status today' })
  @ApiProblems(400, 401, 403, 404, 409, 412, 422, 428)
  async decide(
    @Param('id', new UuidPipe()) id: string,
    @Param('obligationId', new UuidPipe('obligationId')) obligationId: string,
    @Body() body: CreateDecisionDto,
    @IfMatch() version: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ObligationDto | ProposalDto> {
    const outcome = await this.proposals.submitObligationDecision({ licenseId: id, obligationId, expectedVersion: version, input: body });
    if ('obligation' in outcome) return outcome.obligation;
    void reply.status(202).header('Location', outcome.proposal.links.self);
    return outcome.proposal;
  }
}
