import { type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { type Request } from 'express';
import { type AuthContext } from './auth-context.js';

/** What the guard reads and annotates, for HTTP routes, GraphQL over HTTP and GraphQL over WebSocket. */
export interface AuthCarrier {
  headers: Record<string, string | string[] | undefined>;
  ip?: string | undefined;
  auth?: AuthContext;
}

export function requestOf(ctx: ExecutionContext): AuthCarrier | undefined {
  if (ctx.getType<string>() === 'graphql') {
    const gqlContext = GqlExecutionContext.create(ctx).getContext<{ req?: Request & AuthCarrier }>();
    return gqlContext.req;
  }
  return ctx.switchToHttp().getRequest<Request & AuthCarrier>();
}
