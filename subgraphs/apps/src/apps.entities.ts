import { Application } from './application/application.entity';
import { ConfigVersion } from './config-version/config-version.entity';
import { DeploymentEvent } from './deployment/deployment-event.entity';
import { Deployment } from './deployment/deployment.entity';
import { Release } from './deployment/release.entity';

/** Every table of the apps subgraph (createOrm's entity list). */
export const APPS_ENTITIES = [Application, ConfigVersion, Deployment, Release, DeploymentEvent];
