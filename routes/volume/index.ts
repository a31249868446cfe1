import { volumeActionRoutes } from './actions.ts';
import { attachmentRoutes } from './attachments.ts';
import { backendRoutes } from './backends.ts';
import { projectGuard, router } from './common.ts';
import { miscRoutes } from './misc.ts';
import { snapshotRoutes } from './snapshots.ts';
import { typeRoutes } from './types.ts';
import { volumeRoutes } from './volumes.ts';

// Cinder v3, mounted at /:region/volume/v3 (version documents live in versions.ts).
// Authentication, region and microversion negotiation run before these routes; every path
// starts with the project id, which must be the token's.

export const volumeRoutes3 = router();
volumeRoutes3.use('/:project_id/*', projectGuard);
for (const r of [volumeRoutes, volumeActionRoutes, snapshotRoutes, typeRoutes, miscRoutes, attachmentRoutes, backendRoutes]) volumeRoutes3.route('/', r);
