import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { type GqlContextType } from '@nestjs/graphql';
import { type Response } from 'express';
import { DomainError, httpStatusOf } from './domain-error.js';

/**
 * DomainErrors are answers, not faults: they reach the client without being logged as
 * errors. On GraphQL the error passes on to formatGraphqlError; on HTTP routes it becomes
 * `{ error: { code, message, field?, details? } }` with the code's status.
 */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter<DomainError> {
  catch(error: DomainError, host: ArgumentsHost): unknown {
    if (host.getType<GqlContextType>() === 'graphql') return error;
    const response = host.switchToHttp().getResponse<Response>();
    response.status(httpStatusOf(error.code)).json({
      error: {
        code: error.code,
        message: error.message,
        ...(error.field === undefined ? {} : { field: error.field }),
        ...(error.details === undefined ? {} : { details: error.details }),
      },
    });
    return undefined;
  }
}
