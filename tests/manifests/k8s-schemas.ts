import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import {
  ConfigMap,
  Namespace,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';

export interface Model {
  validate(): void;
}
export type ModelCtor = new (data: never) => Model;

/** The kinds firedrill deploys, with their JSON-schema model and client-node type for the strict-field check. */
export const SCHEMAS: Record<string, { model: ModelCtor; clientType: string }> = {
  'v1/Namespace': { model: Namespace as unknown as ModelCtor, clientType: 'V1Namespace' },
  'v1/Service': { model: Service as unknown as ModelCtor, clientType: 'V1Service' },
  'v1/ConfigMap': { model: ConfigMap as unknown as ModelCtor, clientType: 'V1ConfigMap' },
  'v1/Secret': { model: Secret as unknown as ModelCtor, clientType: 'V1Secret' },
  'v1/ServiceAccount': { model: ServiceAccount as unknown as ModelCtor, clientType: 'V1ServiceAccount' },
  'v1/PersistentVolumeClaim': {
    model: PersistentVolumeClaim as unknown as ModelCtor,
    clientType: 'V1PersistentVolumeClaim',
  },
  'apps/v1/Deployment': { model: Deployment as unknown as ModelCtor, clientType: 'V1Deployment' },
  'apps/v1/StatefulSet': { model: StatefulSet as unknown as ModelCtor, clientType: 'V1StatefulSet' },
  'apps/v1/DaemonSet': { model: DaemonSet as unknown as ModelCtor, clientType: 'V1DaemonSet' },
  'batch/v1/Job': { model: Job as unknown as ModelCtor, clientType: 'V1Job' },
  'batch/v1/CronJob': { model: CronJob as unknown as ModelCtor, clientType: 'V1CronJob' },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    model: ClusterRole as unknown as ModelCtor,
    clientType: 'V1ClusterRole',
  },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    model: ClusterRoleBinding as unknown as ModelCtor,
    clientType: 'V1ClusterRoleBinding',
  },
};
