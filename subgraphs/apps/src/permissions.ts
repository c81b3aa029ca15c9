import type { RuleMap } from '../../../lib/src/index';
import { hasPermission } from '../../../lib/src/index';

const read = hasPermission('apps:read');
const deploy = hasPermission('apps:deploy');
const manage = hasPermission('apps:manage');

/**
 * apps:read sees applications, deployments, config and timelines; apps:deploy releases, scales,
 * pauses, rolls back and writes config versions; apps:manage creates and changes applications and
 * deletes deployments.
 */
export const appsPermissions: RuleMap = {
  Query: {
    application: read,
    applications: read,
    deployment: read,
    deployments: read,
    configVersion: read,
    configDiff: read,
  },
  Mutation: {
    createApplication: manage,
    updateApplication: manage,
    createConfigVersion: deploy,
    restoreConfigVersion: deploy,
    deploy,
    pauseDeployment: deploy,
    resumeDeployment: deploy,
    scaleDeployment: deploy,
    setScalingPolicy: deploy,
    rollbackDeployment: deploy,
    checkDeploymentHealth: deploy,
    deleteDeployment: manage,
  },
  Subscription: { deploymentStatusChanged: read },
};
