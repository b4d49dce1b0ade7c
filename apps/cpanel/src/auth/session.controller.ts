import { Body, Controller, Delete, Get, Header, HttpCode, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService, SESSION_COOKIE, problem } from '@airport-mesh/platform';
import { DASHBOARD_CSP } from '../dashboard/dashboard.page.js';
import { renderSignIn } from './sign-in.page.js';
import { SessionDto, SignInDto } from './session.dto.js';

/**
 * The dashboard's sign-in (docs/security.md): the operator credential, once, for an HttpOnly,
 * SameSite=Strict session cookie signed by this service; the credential itself is never stored in the
 * browser. Camera control and face images need it; the read-only views do not.
 */
@ApiTags('session')
@Controller()
export class SessionController {
  constructor(private readonly auth: AuthService) {}

  @Get('login')
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DASHBOARD_CSP)
  @Header('cache-control', 'no-store')
  @Header('referrer-policy', 'no-referrer')
  @Header('x-content-type-options', 'nosniff')
  getSignIn(): string {
    return renderSignIn(Boolean(this.auth.options.operatorDigest));
  }

  /** Whether this browser is signed in. */
  @Get('session')
  @ApiOkResponse({ type: SessionDto })
  async getSession(@Req() request: FastifyRequest): Promise<SessionDto> {
    return { signedIn: (await this.auth.checkOperator({ cookie: request.headers.cookie })) === 'ok' };
  }

  /**
   * Signs in with the operator credential: sets the session cookie. Answers with a body (not 204) so
   * the sign-in page can read it to the end before it navigates: a navigation that starts while the
   * request is still completing aborts it in the browser.
   */
  @Post('session')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionDto, description: 'Signed in (Set-Cookie)' })
  @ApiUnauthorizedResponse({ description: 'Wrong credential, or sign-in is off (problem+json)' })
  async signIn(
    @Body() body: SignInDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionDto> {
    if (!this.auth.operatorTokenMatches(body.token))
      throw new UnauthorizedException(problem(401, 'wrong operator credential'));
    const secure = request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
    void reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${await this.auth.createSession()}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${this.auth.options.sessionSeconds}${secure ? '; Secure' : ''}`,
    );
    return { signedIn: true };
  }

  /** Signs out: clears the session cookie (with a body, like the sign-in, for the same reason). */
  @Delete('session')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionDto, description: 'Signed out' })
  signOut(@Res({ passthrough: true }) reply: FastifyReply): SessionDto {
    void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return { signedIn: false };
  }
}
