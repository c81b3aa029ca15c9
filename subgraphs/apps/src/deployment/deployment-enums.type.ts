import { registerEnumType } from 'type-graphql';
import { DeploymentEventKind, DeploymentStatus, DriverKind, HealthState } from './deployment.model';

registerEnumType(DeploymentStatus, {
  name: 'DeploymentStatus',
  description: 'RUNNING, DEGRADED and UNHEALTHY follow the health checks',
});
registerEnumType(DriverKind, {
  name: 'DeploymentDriver',
  description: 'LOCAL: the inference service runs the endpoints; KUBERNETES: rendered objects applied to a cluster',
});
registerEnumType(DeploymentEventKind, { name: 'DeploymentEventKind' });
registerEnumType(HealthState, { name: 'DeploymentHealth' });
