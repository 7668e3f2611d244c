/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** What a caller may do; read from the token's roles claim. */
export type Role =
  /** May also switch maintenance mode, write module data and read the service status. */
  | 'ADMIN'
  /** May also update, cancel and retry jobs, steer the queue and workers, and delete importable datasets. */
  | 'OPERATOR'
  /** May also submit jobs. */
  | 'SUBMITTER'
  /** Reads jobs, targets, datasets, queue, workers and maintenance. */
  | 'VIEWER'
  /** A worker process: registers, heartbeats, claims and runs jobs. */
  | 'WORKER';

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { id: string, roles: Array<Role>, tokenExpiresAt: string } };

export type MaintenanceFieldsFragment = { paused: boolean, message: string, setBy: string, since: string, drained: boolean, runningJobs: number, queuedJobs: number };

export type MaintenanceStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type MaintenanceStatusQuery = { maintenanceStatus: { paused: boolean, message: string, setBy: string, since: string, drained: boolean, runningJobs: number, queuedJobs: number } };

export type MaintenanceBannerSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type MaintenanceBannerSubscription = { maintenanceStatusChanged: { paused: boolean, message: string, setBy: string, since: string, drained: boolean, runningJobs: number, queuedJobs: number } };
