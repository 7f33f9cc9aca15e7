import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { digits } from '../../common/pagination.js';

const MAX_SIZE = 9_999_999_999;

export class InclusionProofQuery {
  @ApiProperty({ minimum: 0, description: 'The leaf index (0-based): an audit event\'s seq - 1, its `logIndex`' })
  @digits()
  @IsInt()
  @Min(0)
  @Max(MAX_SIZE)
  index: number;

  @ApiProperty({ minimum: 1, description: 'The tree size, e.g. of a checkpoint: at least index + 1, at most the log\'s size' })
  @digits()
  @IsInt()
  @Min(1)
  @Max(MAX_SIZE)
  treeSize: number;
}

export class ConsistencyProofQuery {
  @ApiProperty({ minimum: 1, description: 'The older tree size (e.g. of a checkpoint kept by a witness)' })
  @digits()
  @IsInt()
  @Min(1)
  @Max(MAX_SIZE)
  from: number;

  @ApiProperty({ minimum: 1, description: 'The newer tree size: from..the log\'s size' })
  @digits()
  @IsInt()
  @Min(1)
  @Max(MAX_SIZE)
  to: number;
}

export class LogKeyDto {
  @ApiProperty({ example: 'registry.example.gov.pk/license-registry', description: 'The key name: the log\'s origin, the first line of its checkpoints' }) name: string;
  @ApiProperty({ description: 'C2SP signed-note verifier key: <name>+<key id, 8 hex digits>+<base64(0x01 || Ed25519 public key)>' }) verifierKey: string;
  @ApiProperty({ description: 'The Ed25519 public key, SPKI PEM' }) publicKeyPem: string;
}

export class InclusionProofDto {
  @ApiProperty() index: number;
  @ApiProperty() treeSize: number;
  @ApiProperty({ description: 'base64 SHA-256(0x00 || the event\'s 32-byte hash)' }) leafHash: string;
  @ApiProperty({ description: 'base64 root hash of the tree of treeSize events' }) rootHash: string;
  @ApiProperty({ type: [String], description: 'RFC 9162 2.1.3 inclusion path, base64 hashes, bottom-up' }) hashes: string[];
}

export class ConsistencyProofDto {
  @ApiProperty() from: number;
  @ApiProperty() to: number;
  @ApiProperty({ description: 'base64 root hash of the tree of `from` events' }) fromRoot: string;
  @ApiProperty({ description: 'base64 root hash of the tree of `to` events' }) toRoot: string;
  @ApiProperty({ type: [String], description: 'RFC 9162 2.1.4 consistency proof, base64 hashes (empty when from = to)' }) hashes: string[];
}
