import { actionRoutes } from './actions/index.ts';
import { aggregateRoutes } from './aggregates.ts';
import { auditLogRoutes } from './audit-log.ts';
import { consoleRoutes } from './consoles.ts';
import { router } from './common.ts';
import { diagnosticsRoutes } from './diagnostics.ts';
import { externalEventRoutes } from './external-events.ts';
import { hostRoutes } from './hosts.ts';
import { infrastructureRoutes } from './infrastructure.ts';
import { imageRoutes } from './images.ts';
import { interfaceRoutes } from './interfaces.ts';
import { limitsRoutes } from './limits.ts';
import { migrationRoutes } from './migrations.ts';
import { networkProxyRoutes } from './networks.ts';
import { serverGroupRoutes } from './server-groups.ts';
import { flavorRoutes } from './flavors.ts';
import { floatingIpRoutes } from './floating-ips.ts';
import { keypairRoutes } from './keypairs.ts';
import { securityGroupRoutes } from './security-groups.ts';
import { serverRoutes } from './servers.ts';
import { subresourceRoutes } from './server-subresources.ts';
import { usageRoutes } from './usage.ts';
import { volumeAttachmentRoutes } from './volume-attachments.ts';
import { volumeProxyRoutes } from './volumes.ts';

// Nova v2.1, mounted at /:region/compute/v2.1 (version documents live in versions.ts).
// Authentication, region and microversion negotiation run before these routes.

export const computeRoutes = router();
for (const r of [flavorRoutes, keypairRoutes, serverRoutes, actionRoutes, subresourceRoutes, limitsRoutes, infrastructureRoutes, serverGroupRoutes, securityGroupRoutes, interfaceRoutes, volumeAttachmentRoutes, imageRoutes, aggregateRoutes, migrationRoutes, usageRoutes, hostRoutes, diagnosticsRoutes, networkProxyRoutes, auditLogRoutes, externalEventRoutes, volumeProxyRoutes, floatingIpRoutes, consoleRoutes]) computeRoutes.route('/', r);
