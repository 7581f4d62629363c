import { p } from '@mikro-orm/core';

/** Who changed a row and when; every tenant-owned entity carries it. */
export interface IAudit {
  createdAt: Date;
  updatedAt: Date;
  /** `user:<id>` for a dashboard user, `system:<component>` for n8n, webhooks and jobs. */
  createdBy: string;
  updatedBy: string;
}

/** The IAudit columns as `defineEntity` properties, spread into each entity's `properties`. */
export const auditProperties = {
  createdAt: p.datetime().onCreate(() => new Date()),
  updatedAt: p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date()),
  createdBy: p.string().length(120),
  updatedBy: p.string().length(120),
};

export type Actor = `user:${string}` | `system:${string}`;

export function userActor(userId: string): Actor {
  return `user:${userId}`;
}

/** The fields a service sets on a row it creates on behalf of `actor`. */
export function createdByActor(actor: Actor): Pick<IAudit, 'createdBy' | 'updatedBy'> {
  return { createdBy: actor, updatedBy: actor };
}
