import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class SignInDto {
  @ApiProperty({ description: 'The operator credential (OPERATOR_TOKEN; `npm start` prints it)' })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  token: string;
}

export class SessionDto {
  @ApiProperty({ description: 'Whether this browser is signed in as the operator' }) signedIn: boolean;
}
