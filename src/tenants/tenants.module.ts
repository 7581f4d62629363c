import { Module } from '@nestjs/common';
import { ViewerResolver } from './viewer.resolver.js';
import { TenantsService } from './tenants.service.js';

@Module({ providers: [TenantsService, ViewerResolver], exports: [TenantsService] })
export class TenantsModule {}
